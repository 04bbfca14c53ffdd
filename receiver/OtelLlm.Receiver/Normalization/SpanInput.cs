using OpenTelemetry.Proto.Trace.V1;

namespace OtelLlm.Receiver.Normalization;

/// <summary>A span with its context, read once and shared by every dialect step.</summary>
internal sealed class SpanInput
{
    public SpanInput(Resource resource, InstrumentationScope scope, Span span)
    {
        Resource = resource;
        Scope = scope;
        Span = span;
        Attributes = new AttributeMap(span.Attributes);
    }

    public Resource Resource { get; }

    public InstrumentationScope Scope { get; }

    public Span Span { get; }

    public AttributeMap Attributes { get; }

    public AttributeMap ResourceAttributes => field ??= new AttributeMap(Resource.Attributes);

    public string ScopeName => Scope.Name ?? string.Empty;
}
