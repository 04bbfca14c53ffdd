namespace OtelLlm.Receiver.Diagnostics;

/// <summary>
/// Every event id the receiver logs with, in one numbered registry (operators look for them; docs/operations.md lists
/// them). Ids never change meaning; a new event takes a new number in its block.
/// </summary>
internal static class ReceiverEventIds
{
    // 1000–1099: start-up, settings, schema, retention.
    public const int SettingsInvalid = 1001;
    public const int WalLocked = 1002;
    public const int SchemaReady = 1010;
    public const int SchemaRetry = 1011;
    public const int SchemaMissing = 1012;
    public const int Migrated = 1013;
    public const int MigrateRetry = 1014;
    public const int MigrateFailed = 1015;
    public const int RetentionDropped = 1020;
    public const int RetentionFailed = 1021;
    public const int SelfTelemetryOn = 1030;

    // 2000–2099: OTLP transports.
    public const int ExportRefused = 2001;

    // 4000–4099: GenAI normalization.
    public const int NormalizeFailed = 4001;
    public const int ContentJoinFailed = 4002;


    // 7000–7099: write-ahead log, writers, dead letter, dedup.
    public const int WalRecovered = 7001;
    public const int WalBytesSetAside = 7002;
    public const int WalCheckpointUntrusted = 7003;
    public const int WalCheckpointSegmentClash = 7004;
    public const int LegacySpoolTakenOver = 7005;
    public const int LegacySpoolHeld = 7006;
    public const int WalFullDuringTakeover = 7007;
    public const int WalSyncFailed = 7008;
    public const int WalAppendFailed = 7009;
    public const int InsertRetrying = 7011;
    public const int InsertsRecovered = 7012;
    public const int DeadLettered = 7013;
    public const int WalRecordUnreadable = 7014;
    public const int WalFull = 7015;
    public const int DedupScanFailed = 7020;
    public const int DedupWindowRefilled = 7021;
    public const int DedupRefillRetry = 7022;

    // 7100–7199: authentication.
    public const int AuthOff = 7100;
    public const int ApiKeysOn = 7101;
    public const int LoopbackWithoutKeys = 7102;

    // 7200–7299: the HTTP API.
    public const int ApiStorageFailed = 7200;
    public const int AlertEvaluatorOff = 7210;
    public const int AlertFired = 7211;
    public const int AlertResolved = 7212;
    public const int AlertEvaluationFailed = 7213;
    public const int AlertRuleFailed = 7214;
    public const int AlertDeliveryFailed = 7215;
}
