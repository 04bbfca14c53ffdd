namespace OtelLlm.Storage.Schema;

/// <summary>One versioned step of the schema.</summary>
/// <param name="Version">Applied in ascending order; never reused or renumbered once shipped.</param>
/// <param name="Name">A short description recorded in <c>schema_migrations</c>.</param>
/// <param name="Statements">
/// The statements, generated for a deployment. Each must be safe to run twice (for example
/// <c>CREATE … IF NOT EXISTS</c>), because two receivers may start at once.
/// </param>
public sealed record Migration(int Version, string Name, Func<SchemaContext, IReadOnlyList<string>> Statements);
