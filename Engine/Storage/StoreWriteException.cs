namespace Onboarding.Engine.Storage;

/// <summary>
/// Writing a client's store failed before the commit point (a full disk, a read-only or immutable folder): nothing
/// was committed and the client's segments are as they were. The message says what failed and what to do.
/// </summary>
public sealed class StoreWriteException(string message, Exception inner) : IOException(message, inner);

/// <summary>
/// The commit point was passed (the journal holds the entry) but the catalog could not record it, e.g. LiteDB failed
/// on a full disk and closed itself. The change is committed; the catalog catches up from the journal when the
/// data folder is opened again (restart the watcher).
/// </summary>
public sealed class CatalogBehindException(string message, Exception inner) : IOException(message, inner);
