namespace OtelLlm.Receiver.Pipeline;

/// <summary>The pipeline holds as much unwritten data as it may; the client should retry later.</summary>
internal sealed class PipelineOverloadedException(string message) : Exception(message);

/// <summary>The batch holding a request's data could not be written; the client should retry.</summary>
internal sealed class PipelineWriteException(string message, Exception inner) : Exception(message, inner);
