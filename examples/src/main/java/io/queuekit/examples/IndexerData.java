package io.queuekit.examples;

import java.util.List;

/**
 * What the issue indexer queue carries, as Gitea's {@code IndexerMetadata}: one issue, or several
 * to delete.
 */
public record IndexerData(long id, List<Long> ids, boolean isDelete) {}
