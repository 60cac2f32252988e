package io.queuekit.ini;

import io.queuekit.QueueConfigException;
import io.queuekit.QueueSettings;
import io.queuekit.Setting;
import io.queuekit.spi.BaseQueues;
import java.util.List;
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
 *       QUEUE_LENGTH} still supply {@code [queue.task]}'s defaults, with a warning, as in Gitea,
 *       but only for a key neither {@code [queue.task]} nor {@code [queue]} sets ({@link
 *       QueueLayers} says why): under {@code [queue] TYPE = level}, {@code [task] QUEUE_TYPE =
 *       redis} sets nothing, in Gitea as here.
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

  /**
   * What {@code config-migrator migrate} does with an old option ({@link #plan}); {@link
   * ConfigCheck}'s advice says the same, from the same decision.
   */
  public enum Action {
    /** It sets nothing ({@link #noEffectReason}): each of its lines is deleted. */
    DELETE_NO_EFFECT,
    /** The replacement key is written already and means the same: each line is deleted. */
    DELETE_SAME,
    /** It moves to the replacement key (with {@code CONN_STR =} when the queue needs it). */
    MOVE,
    /** Not moved: the queue cannot use this CONN_STR ({@link #unusableReason}); a conflict. */
    CONFLICT_UNUSABLE,
    /** Not moved: the replacement key is written already with another meaning; a conflict. */
    CONFLICT_EXISTING
  }

  /**
   * The migration's decision for an old option present in a file.
   *
   * @param action what the migration does
   * @param old the entry go-ini reads (the last of the key's lines)
   * @param shadowed the earlier lines of the key in the same section, which go-ini does not read
   *     (deleted with it, unless the action is a conflict)
   * @param value what the replacement key gets ({@link #newValue}); null for {@link
   *     Action#DELETE_NO_EFFECT}
   * @param existing the replacement key already written, for {@link Action#DELETE_SAME} and
   *     {@link Action#CONFLICT_EXISTING}; else null
   * @param connStrOverride for {@link Action#MOVE}: the inherited CONN_STR the moved TYPE cannot
   *     use ({@link #connStrToOverrideWhenMoved}), which {@code CONN_STR =} overrides; else null
   * @param reason why nothing moves, for {@link Action#DELETE_NO_EFFECT} ({@link
   *     #noEffectReason}; {@link #shadowedIntentHint} may add to it) and {@link
   *     Action#CONFLICT_UNUSABLE} ({@link #unusableReason}); else null
   */
  public record Plan(Action action, IniEntry old, List<IniEntry> shadowed, String value,
      IniEntry existing, IniEntry connStrOverride, String reason) {
    public Plan {
      shadowed = List.copyOf(shadowed);
    }

    /** Whether the migration edits the file for this option (anything but a conflict). */
    public boolean changes() {
      return action != Action.CONFLICT_UNUSABLE && action != Action.CONFLICT_EXISTING;
    }
  }

  /**
   * What the migration does with this option in {@code file}, decided once for the migration and
   * for the check's advice; empty when the option is absent. In order: an option that sets
   * nothing is deleted; a CONN_STR the queue cannot use is a conflict; a replacement key already
   * written is compared (the same meaning: deleted; another: a conflict, never overwritten); else
   * it moves.
   */
  public Optional<Plan> plan(IniFile file) {
    Optional<IniEntry> found = find(file);
    if (found.isEmpty()) {
      return Optional.empty();
    }
    IniEntry old = found.get();
    List<IniEntry> all = file.section(section).map(s -> s.entries(key())).orElse(List.of());
    List<IniEntry> shadowed = all.isEmpty() ? List.of() : all.subList(0, all.size() - 1);
    Optional<String> value = newValue(file);
    if (value.isEmpty()) {
      return Optional.of(new Plan(Action.DELETE_NO_EFFECT, old, shadowed, null, null, null,
          noEffectReason(file).orElseThrow()));
    }
    Optional<String> unusable = unusableReason(file);
    if (unusable.isPresent()) {
      return Optional.of(new Plan(Action.CONFLICT_UNUSABLE, old, shadowed, value.get(), null,
          null, unusable.get()));
    }
    Optional<IniEntry> existing = file.entry(newSection(), replacement.key());
    if (existing.isPresent()) {
      Action a = sameMeaning(replacement, existing.get().value(), value.get())
          ? Action.DELETE_SAME : Action.CONFLICT_EXISTING;
      return Optional.of(new Plan(a, old, shadowed, value.get(), existing.get(), null, null));
    }
    return Optional.of(new Plan(Action.MOVE, old, shadowed, value.get(), null,
        connStrToOverrideWhenMoved(file).orElse(null), null));
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
   * sets nothing ({@link #noEffectReason}): its value is empty; for {@code [task]}, Gitea ignores
   * it because {@code [task] QUEUE_TYPE} is neither {@code channel} nor {@code redis} or {@code
   * [queue]} sets the key itself; for {@code ISSUE_INDEXER_QUEUE_CONN_STR} and {@code
   * ISSUE_INDEXER_QUEUE_DIR}, Gitea did not read it for the issue queue's type.
   */
  public Optional<String> newValue(IniFile file) {
    return shadowingEntry(file).isPresent() ? Optional.empty() : suppliedValue(file);
  }

  /**
   * The value the old key stands for, whether or not {@code [queue]} shadows it: {@link #newValue}
   * before the last condition.
   */
  private Optional<String> suppliedValue(IniFile file) {
    Optional<IniEntry> entry = find(file);
    if (entry.isEmpty() || entry.get().value().isEmpty() || ignoredReason(file).isPresent()) {
      return Optional.empty();
    }
    String value = entry.get().value();
    if (!removed) {
      QueueLayers.Value v = QueueLayers.taskLayer(file).values.get(replacement);
      if (v == null || v.entry == null) {
        return Optional.empty();
      }
      value = v.text;
    } else if (this == ISSUE_INDEXER_QUEUE_TYPE) {
      value = issueQueueType(value);
    }
    if (replacement == Setting.CONN_STR) {
      value = currentForm(value);
    }
    return Optional.of(value);
  }

  /**
   * For a {@code [task]} option: the {@code [queue]} entry that sets its key for every queue, the
   * task queue included, so that the option sets nothing ({@link QueueLayers} says why). Empty
   * when {@code [queue.task]} sets the key itself: that one is the task queue's, and the migration
   * compares the two ("already says the same", or a conflict).
   */
  private Optional<IniEntry> shadowingEntry(IniFile file) {
    if (removed || file.entry(newSection(), replacement.key())
        .filter(e -> !e.value().isEmpty()).isPresent()) {
      return Optional.empty();
    }
    return Optional.ofNullable(QueueLayers.section(file, QueueLayers.QUEUE, false).values
        .get(replacement)).map(v -> v.entry);
  }

  /** The current form of a CONN_STR, if a backend calls this one outdated (Redis's key=value). */
  private static String currentForm(String connStr) {
    return BaseQueues.load().currentConnStr(connStr).map(Map.Entry::getValue)
        .orElse(connStr);
  }

  /**
   * Whether two values of {@code key} mean the same: as the settings they build, a {@code
   * CONN_STR} in its current form; the same text when one of them is not a valid value.
   */
  public static boolean sameMeaning(Setting key, String a, String b) {
    if (key == Setting.CONN_STR) {
      return currentForm(a.trim()).equals(currentForm(b.trim()));
    }
    try {
      return QueueSettings.builder().set(key, a).build()
          .equals(QueueSettings.builder().set(key, b).build());
    } catch (QueueConfigException e) {
      // one of them is not a valid value: only the same text is the same
      return a.trim().equals(b.trim());
    }
  }

  /**
   * For a {@code [task]} option that {@code [queue]} shadows ({@link #noEffectReason}) but that
   * asks for another value than {@code [queue]}'s: the key to write if the task queue should have
   * that value after all, e.g. "if the task queue should have TYPE = redis, write [queue.task]
   * TYPE = redis". Empty otherwise.
   */
  public Optional<String> shadowedIntentHint(IniFile file) {
    Optional<IniEntry> shadow = shadowingEntry(file);
    Optional<String> wanted = suppliedValue(file);
    if (shadow.isEmpty() || wanted.isEmpty()
        || sameMeaning(replacement, shadow.get().value(), wanted.get())) {
      return Optional.empty();
    }
    String kv = ConfigCheck.kv(replacement.key(), wanted.get());
    return Optional.of("if the task queue should have " + kv + ", write [" + newSection() + "] "
        + kv);
  }

  /** Gitea before 1.20: levelqueue -> level, channel -> persistable-channel (LevelDB-backed). */
  private static String issueQueueType(String value) {
    return value.equals("levelqueue") || value.equals("channel") ? "level" : value;
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
    Optional<String> ignored = ignoredReason(file);
    if (ignored.isPresent()) {
      return ignored;
    }
    Optional<IniEntry> shadow = shadowingEntry(file);
    if (shadow.isPresent()) {
      IniEntry q = shadow.get();
      return Optional.of("[queue] " + q.key() + " = " + q.value() + " (line " + q.line()
          + ") is the task queue's " + replacement.key() + " too: Gitea's loadTaskFrom writes"
          + " [task]'s default into [queue.task] only where go-ini finds no " + replacement.key()
          + ", and go-ini looks a key [queue.task] lacks up in [queue]");
    }
    return Optional.of("Gitea reads [task] QUEUE_CONN_STR only when QUEUE_TYPE is channel or"
        + " redis, and QUEUE_TYPE only when it is one of those");
  }

  /**
   * Why Gitea did not read this issue-indexer key for the issue queue's type, if it did not. Its
   * old indexer code ({@code modules/indexer/issues}, Gitea 1.9 to 1.11) opened a {@code
   * levelqueue} in {@code ISSUE_INDEXER_QUEUE_DIR}, a {@code redis} queue from {@code
   * ISSUE_INDEXER_QUEUE_CONN_STR}, and an in-memory {@code channel} from neither. So: the DIR is
   * not read unless the queue is {@code level}; a CONN_STR written for another backend (a Redis
   * string for a level queue) is not read unless the queue is {@code redis}, where it is carried
   * over for the check to refuse, as start-up did.
   */
  private Optional<String> ignoredReason(IniFile file) {
    if (this != ISSUE_INDEXER_QUEUE_CONN_STR && this != ISSUE_INDEXER_QUEUE_DIR) {
      return Optional.empty();
    }
    Optional<IniEntry> entry = find(file);
    if (entry.isEmpty() || entry.get().value().isEmpty()) {
      return Optional.empty();
    }
    TypeOrigin type = issueIndexerType(file);
    Optional<String> t = QueueLayers.canonicalType(type.type());
    if (t.isEmpty()) {
      return Optional.empty(); // a bad TYPE is reported where it is written
    }
    String queue = "the issue queue is " + t.get() + " (" + type.origin() + ")";
    if (this == ISSUE_INDEXER_QUEUE_DIR) {
      return t.get().equals("level") ? Optional.empty() : Optional.of("Gitea ignored it: it read"
          + " ISSUE_INDEXER_QUEUE_DIR only for a LevelDB issue queue (levelqueue), and " + queue);
    }
    Optional<String> meant = QueueLayers.writtenFor(entry.get().value());
    if (meant.isEmpty() || meant.get().equals(t.get()) || t.get().equals("redis")) {
      return Optional.empty();
    }
    return Optional.of("Gitea ignored it: it read ISSUE_INDEXER_QUEUE_CONN_STR only for a redis"
        + " issue queue, " + queue + ", and this is a " + meant.get() + " connection string");
  }

  private record TypeOrigin(String type, String origin) {}

  /**
   * Why the issue queue cannot use the {@code ISSUE_INDEXER_QUEUE_CONN_STR} that {@link
   * #newValue} would move: the queue is {@code redis} and the string is written for another
   * backend (a {@code leveldb://} path). Gitea could not use it either. Empty for every other
   * option and case.
   */
  public Optional<String> unusableReason(IniFile file) {
    Optional<String> value = this == ISSUE_INDEXER_QUEUE_CONN_STR ? newValue(file)
        : Optional.empty();
    if (value.isEmpty()) {
      return Optional.empty();
    }
    TypeOrigin type = issueIndexerType(file);
    Optional<String> t = QueueLayers.canonicalType(type.type());
    Optional<String> meant = QueueLayers.writtenFor(value.get());
    if (t.isEmpty() || meant.isEmpty() || meant.get().equals(t.get())) {
      return Optional.empty();
    }
    return Optional.of("the issue queue is " + t.get() + " (" + type.origin() + "), and this is a "
        + meant.get() + " connection string, which a " + t.get() + " queue cannot use (Gitea"
        + " could not either)");
  }

  /**
   * The TYPE {@code [queue.issue_indexer]} has once migrated, and where it comes from: its own
   * TYPE (the migration never overwrites it), else {@code ISSUE_INDEXER_QUEUE_TYPE}, else {@code
   * [queue]}'s, else the default.
   */
  private static TypeOrigin issueIndexerType(IniFile file) {
    String own = ISSUE_INDEXER_QUEUE_TYPE.newSection();
    Optional<IniEntry> e = file.entry(own, Setting.TYPE.key()).filter(x -> !x.value().isEmpty());
    if (e.isPresent()) {
      return new TypeOrigin(e.get().value(), "TYPE in [" + own + "]");
    }
    e = ISSUE_INDEXER_QUEUE_TYPE.find(file).filter(x -> !x.value().isEmpty());
    if (e.isPresent()) {
      return new TypeOrigin(issueQueueType(e.get().value()),
          "ISSUE_INDEXER_QUEUE_TYPE = " + e.get().value());
    }
    e = file.entry(QueueLayers.QUEUE, Setting.TYPE.key()).filter(x -> !x.value().isEmpty());
    if (e.isPresent()) {
      return new TypeOrigin(e.get().value(), "TYPE in [queue]");
    }
    return new TypeOrigin(QueueSettings.defaults().type(), "the default TYPE");
  }

  /**
   * For an option that moves to {@code TYPE}: the CONN_STR its queue would inherit once the
   * option has moved, although the type cannot use it because it is written for another backend
   * (a level queue under {@code [queue] CONN_STR = redis://…}); {@code config-migrator migrate}
   * then writes {@code CONN_STR =} in {@link #newSection()}. Empty when the section writes a TYPE
   * or a CONN_STR of its own, when the queue's old CONN_STR option moves too, or when the inherited
   * string suits the type.
   */
  public Optional<IniEntry> connStrToOverrideWhenMoved(IniFile file) {
    Optional<String> type = replacement == Setting.TYPE ? newValue(file) : Optional.empty();
    if (type.isEmpty() || file.entry(newSection(), Setting.TYPE.key()).isPresent()
        || file.entry(newSection(), Setting.CONN_STR.key()).isPresent()) {
      return Optional.empty();
    }
    for (OldOption o : values()) {
      if (o.queue.equals(queue) && o.replacement == Setting.CONN_STR
          && o.newValue(file).isPresent()) {
        return Optional.empty();
      }
    }
    QueueLayers.Value conn = QueueLayers.effective(QueueLayers.layers(file, queue))
        .get(Setting.CONN_STR);
    if (conn == null || conn.entry == null || conn.text.isEmpty()) {
      return Optional.empty();
    }
    Optional<String> t = QueueLayers.canonicalType(type.get());
    Optional<String> meant = QueueLayers.writtenFor(conn.text);
    return t.isPresent() && meant.isPresent() && !meant.get().equals(t.get())
        ? Optional.of(conn.entry) : Optional.empty();
  }
}
