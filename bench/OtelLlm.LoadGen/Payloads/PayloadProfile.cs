namespace OtelLlm.LoadGen.Payloads;

/// <summary>Whether generated chat spans carry prompt and completion content.</summary>
public enum PayloadProfile
{
    /// <summary>Metadata only: model, tokens, ids, finish reasons (what most production apps send).</summary>
    ContentOff,

    /// <summary>Adds <c>gen_ai.input.messages</c> (~2 KB), <c>gen_ai.output.messages</c> (~1 KB) and system instructions.</summary>
    ContentOn,
}
