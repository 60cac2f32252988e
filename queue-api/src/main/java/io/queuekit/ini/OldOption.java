package io.queuekit.ini;

import io.queuekit.Setting;
import java.util.Map;
import java.util.Optional;

/**
 * Queue options that live outside {@code [queue*]} in old {@code app.ini} files, and the key in
 * {@code [queue.NAME]} that replaces each.
 *
 * <ul>
 *   <li><b>Removed</b> ({@link #removed()}): Gitea refuses to start while any of these is set
 *       ({@code loadQueueFrom}), and so does queuekit: the eight of {@code [indexer]}, {@code
 *       [mailer]} and {@code [repository]}. Gitea's message for {@code SEND_BUFFER_LEN} names
 *       {@code [queue.mailer]}, but the queue is {@code mail}; queuekit names {@code [queue.mail]}.
 *   <li><b>Deprecated</b>: {@code [task] QUEUE_TYPE}, {@code QUEUE_CONN_STR}, {@code
 *       QUEUE_LENGTH} still supply {@code [queue.task]}'s defaults, with a warning, as in Gitea.
 * </ul>
 *
 * <p>Used by {@link ConfigCheck} for its messages and by the config migrator to move each option.
 */
public enum OldOption {
  ISSUE_INDEXER_QUEUE_TYPE("indexer", "issue_indexer", Setting.TYPE, true),
  ISSUE_INDEXER_QUEUE_BATCH_NUMBER("indexer", "issue_indexer", Setting.BATCH_LENGTH, true),
  ISSUE_INDEXER_QUEUE_DIR("indexer", "issue_indexer", Setting.DATADIR, true),
  ISSUE_INDEXER_QUEUE_CONN_STR("indexer", "issue_indexer", Setting.CONN_STR, true),
  UPDATE_BUFFER_LEN("indexer", "issue_indexer", Setting.LENGTH, true),
  SEND_BUFFER_LEN("mailer", "mail", Setting.LENGTH, true),
  PULL_REQUEST_QUEUE_LENGTH("repository", "pr_patch_checker", Setting.LENGTH, true),
  MIRROR_QUEUE_LENGTH("repository", "mirror", Setting.LENGTH, true),
  TASK_QUEUE_TYPE("task", "task", Setting.TYPE, false),
  TASK_QUEUE_CONN_STR("task", "task", Setting.CONN_STR, false),
  TASK_QUEUE_LENGTH("task", "task", Setting.LENGTH, false);

  private final String section;
  private final String queue;
  private final Setting replacement;
  private final boolean removed;

  OldOption(String section, String queue, Setting replacement, boolean removed) {
    this.section = section;
    this.queue = queue;
    this.replacement = replacement;
    this.removed = removed;
  }

  /** The section the old key is in, e.g. {@code indexer}. */
  public String section() {
    return section;
  }

  /** The old key, e.g. {@code ISSUE_INDEXER_QUEUE_TYPE}. */
  public String key() {
    return removed ? name() : name().substring("TASK_".length());
  }

  /** The queue whose settings replace it, e.g. {@code issue_indexer}. */
  public String queue() {
    return queue;
  }

  /** The section of the replacement, e.g. {@code queue.issue_indexer}. */
  public String newSection() {
    return QueueLayers.PREFIX + queue;
  }

  /** The replacement key in {@link #newSection()}. */
  public Setting newKey() {
    return replacement;
  }

  /** True: loading fails while it is set. False: deprecated, still read, warned about. */
  public boolean removed() {
    return removed;
  }

  /** The entry go-ini reads for the old key in {@code file}, if present. */
  public Optional<IniEntry> find(IniFile file) {
    return file.entry(section, key());
  }

  /**
   * What to write under {@link #newKey()} so that {@code file} means what it meant with the old
   * key: old issue-indexer types become queue types ({@code levelqueue} and the persistable {@code
   * channel} become {@code level}), old {@code key=value} Redis strings become URIs, and a {@code
   * [task]} option yields the default Gitea derives from it. Empty when the old key is absent or
   * sets nothing: its value is empty, or (for {@code [task]}) Gitea ignores it because {@code
   * [task] QUEUE_TYPE} is neither {@code channel} nor {@code redis} or {@code [queue]} sets the
   * key itself.
   */
  public Optional<String> newValue(IniFile file) {
    Optional<IniEntry> entry = find(file);
    if (entry.isEmpty() || entry.get().value().isEmpty()) {
      return Optional.empty();
    }
    String value = entry.get().value();
    if (!removed) {
      if (QueueLayers.section(file, QueueLayers.QUEUE, false).values.containsKey(replacement)) {
        return Optional.empty();
      }
      QueueLayers.Value v = QueueLayers.taskLayer(file).values.get(replacement);
      if (v == null || v.entry == null) {
        return Optional.empty();
      }
      value = v.text;
    } else if (this == ISSUE_INDEXER_QUEUE_TYPE) {
      // Gitea before 1.20: levelqueue -> level, channel -> persistable-channel (LevelDB-backed).
      if (value.equals("levelqueue") || value.equals("channel")) {
        value = "level";
      }
    }
    if (replacement == Setting.CONN_STR) {
      // the current form, if a backend calls this one outdated (Redis's key=value)
      value = io.queuekit.spi.BaseQueues.load().currentConnStr(value).map(Map.Entry::getValue)
          .orElse(value);
    }
    return Optional.of(value);
  }

  /**
   * Why the old key, present in {@code file}, sets nothing ({@link #newValue} is empty); empty
   * when it is absent or does set something.
   */
  public Optional<String> noEffectReason(IniFile file) {
    Optional<IniEntry> entry = find(file);
    if (entry.isEmpty() || newValue(file).isPresent()) {
      return Optional.empty();
    }
    if (entry.get().value().isEmpty()) {
      return Optional.of("its value is empty");
    }
    if (QueueLayers.section(file, QueueLayers.QUEUE, false).values.containsKey(replacement)) {
      return Optional.of("[queue] sets " + replacement.key() + " for every queue, task included");
    }
    return Optional.of("Gitea reads [task] QUEUE_CONN_STR only when QUEUE_TYPE is channel or"
        + " redis, and QUEUE_TYPE only when it is one of those");
  }
}
