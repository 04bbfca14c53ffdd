namespace OtelLlm.Storage.Schema;

/// <summary>One versioned step of the schema.</summary>
/// <param name="Version">Applied in ascending order; never reused or renumbered once shipped.</param>
/// <param name="Name">A short description recorded in <c>schema_migrations</c>.</param>
/// <param name="Statements">
/// The statements, generated for a deployment. Each must be safe to run twice (for example
/// <c>CREATE … IF NOT EXISTS</c>), because two receivers may start at once. Write them as for one server, naming
/// tables with <see cref="SchemaContext.Table"/>, engines with <see cref="SchemaContext.Engine"/> and adding
/// <see cref="SchemaContext.OnCluster"/> to DDL: on a cluster the runner renders them twice and makes replicated and
/// <c>Distributed</c> tables of them (see <see cref="SchemaContext"/>), so the function must be pure.
/// </param>
public sealed record Migration(int Version, string Name, Func<SchemaContext, IReadOnlyList<string>> Statements)
{
    /// <summary>
    /// Materialized views created after <see cref="Statements"/> whose targets must also hold the rows their source
    /// table had before the view existed. The runner whose <c>CREATE</c> creates a view fills its target from those
    /// rows; a runner that finds the view already there leaves the filling to the one that created it, so concurrent
    /// and repeated runs count every row once.
    /// </summary>
    public Func<SchemaContext, IReadOnlyList<BackfilledView>>? Views { get; init; }
}

/// <summary>A materialized view that also aggregates the rows its source table held before it was created.</summary>
/// <param name="Name">The view.</param>
/// <param name="Target">The table the view writes to (<c>TO</c>), created by the migration's statements.</param>
/// <param name="Source">
/// The table the view reads; it must have a <c>Timestamp</c> column, which <paramref name="Select"/> must not hide behind
/// an alias of the same name (the fill's time range is a condition on it).
/// </param>
/// <param name="Select">
/// The view's <c>SELECT</c> from <paramref name="Source"/>, given an extra condition to add to its <c>WHERE</c>
/// (<see langword="null"/> for the view itself; a time range when filling).
/// </param>
public sealed record BackfilledView(string Name, string Target, string Source, Func<string?, string> Select);
