namespace Onboarding.Engine.Storage;

/// <summary>
/// Writing a client's store failed before the commit point (a full disk, a read-only or immutable folder): nothing
/// was committed and the client's segments are as they were. The message says what failed and what to do.
/// </summary>
public sealed class StoreWriteException(string message, Exception inner) : IOException(message, inner);
