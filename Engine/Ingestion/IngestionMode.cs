namespace Onboarding.Engine.Ingestion;

/// <summary>How an onboarding file changes the segments it names.</summary>
public enum IngestionMode
{
    /// <summary>Differential upload: adds and removes members.</summary>
    Delta,

    /// <summary>Refresh: every segment named in the file ends up with exactly the members listed for it.</summary>
    Full,

    /// <summary>Creates static segments, uploaded once and never changed again.</summary>
    Static,
}
