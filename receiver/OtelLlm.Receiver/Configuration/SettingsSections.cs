namespace OtelLlm.Receiver.Configuration;

/// <summary>Configuration sections of settings classes that live outside the receiver.</summary>
internal static class SettingsSections
{
    /// <summary>ClickHouse, bound to <c>OtelLlm.Storage.ClickHouse.ClickHouseOptions</c>.</summary>
    public const string ClickHouse = "OtelLlm:ClickHouse";
}
