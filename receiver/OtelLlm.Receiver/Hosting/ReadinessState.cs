namespace OtelLlm.Receiver.Hosting;

/// <summary>Whether start-up has brought the schema up to date; <c>/readyz</c> reports it.</summary>
internal sealed class ReadinessState
{
    private volatile bool _schemaReady;

    public bool SchemaReady => _schemaReady;

    public void MarkSchemaReady() => _schemaReady = true;
}
