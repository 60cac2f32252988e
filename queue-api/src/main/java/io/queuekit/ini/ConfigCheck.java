package io.queuekit.ini;

import io.queuekit.QueueConfigException;
import io.queuekit.QueueSettings;
import io.queuekit.Setting;
import io.queuekit.ini.Finding.Severity;
import io.queuekit.internal.ConnStrings;
import io.queuekit.spi.BaseQueueFactory;
import io.queuekit.spi.BaseQueues;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Every check of a queue configuration, in one place: {@link IniQueueConfig} runs it when loading
 * (errors fail the load, warnings are logged) and the config migrator's {@code check} prints it.
 *
 * <p>Errors ({@link Severity#ERROR}):
 *
 * <ul>
 *   <li>a removed option ({@link OldOption#removed()}) is set, as in Gitea;
 *   <li>a value that is not valid for its key ({@code TYPE = levelqueues}, {@code LENGTH = ten},
 *       {@code BATCH_DEBOUNCE = 100}), or keys that disagree ({@code RETRY_DELAY_MAX} below
 *       {@code RETRY_DELAY}); {@code [task] QUEUE_LENGTH} that is not a number;
 *   <li>a {@code CONN_STR} the queue's backend refuses: each backend on the class path checks its
 *       own ({@link io.queuekit.spi.BaseQueueFactory#validate}), exactly as at start-up; the check
 *       adds which backend the string was written for, by its scheme or form.
 * </ul>
 *
 * <p>Warnings ({@link Severity#WARNING}): {@code [task] QUEUE_*} (deprecated); unknown keys in
 * {@code [queue*]} (with the closest known key); keys in the wrong case; the keys Gitea dropped in
 * 1.20 ({@code WORKERS}, {@code MAX_ATTEMPTS}, …); a key set twice in one section; an old {@code
 * key=value} Redis {@code CONN_STR} (any form a backend calls outdated); a section that looks like {@code [queue…]} but is not read.
 *
 * <p>Every independent problem is reported, not only the first: a bad value is reported where it
 * is written and left out of its queue's resolution (the default stands in), so that the checks
 * that do not read it still run; a check whose answer would be about that default, or that reads
 * a bad {@code TYPE}, is skipped ({@link QueueLayers#resolveLenient}).
 *
 * <p><b>Ordering:</b> by line. <b>Thread-safety:</b> stateless.
 */
public final class ConfigCheck {
  private static final String MIGRATE = "config-migrator migrate does this";
  private static final String DEFAULT_QUEUE = "default queue";

  private final IniFile file;
  private final String name;
  private final Set<Finding> findings = new LinkedHashSet<>();
  /** The backends on the class path, asked to check their own CONN_STRs as start-up does. */
  private final BaseQueues backends = BaseQueues.load();

  private ConfigCheck(IniFile file) {
    this.file = file;
    this.name = file.sourceName();
  }

  /** Every finding for {@code file}, ordered by line. */
  public static List<Finding> run(IniFile file) {
    ConfigCheck c = new ConfigCheck(file);
    c.oldOptions();
    c.queueSections();
    c.resolutions();
    List<Finding> out = new ArrayList<>(c.findings);
    out.sort(Comparator.comparingInt(Finding::line));
    return List.copyOf(out);
  }

  private void add(Severity severity, IniEntry e, String message, String fix) {
    findings.add(new Finding(name, e.line(), severity, e.section(), e.key(),
        ConnStrings.mask(message), ConnStrings.mask(fix)));
  }

  private void addSection(Severity severity, int line, String section, String message,
      String fix) {
    findings.add(new Finding(name, line, severity, section, null, ConnStrings.mask(message),
        ConnStrings.mask(fix)));
  }

  private static String kv(IniEntry e) {
    return kv(e.key(), e.value());
  }

  /** key = value; a connection string masked as one (a password may hold a blank). */
  static String kv(String key, String value) {
    return key + " = " + (key.endsWith("CONN_STR") ? ConnStrings.maskConnStr(value) : value);
  }

  // ---------------------------------------------------------------------------------------------

  /** A key set more than once in one section: the last line wins, as in go-ini. */
  private void warnRepeated(String section, String key, List<IniEntry> all) {
    if (all.size() > 1) {
      IniEntry e = all.get(all.size() - 1);
      String lines = all.stream().map(x -> Integer.toString(x.line()))
          .collect(Collectors.joining(", "));
      add(Severity.WARNING, e, key + " is set " + all.size() + " times in [" + section
          + "] (lines " + lines + "); the last one, " + kv(e) + ", is used",
          "keep one " + key + " line");
    }
  }

  private void oldOptions() {
    for (OldOption o : OldOption.values()) {
      Optional<OldOption.Plan> plan = o.plan(file);
      if (plan.isEmpty()) {
        continue;
      }
      IniEntry e = plan.get().old();
      file.section(e.section()).ifPresent(sec -> warnRepeated(sec.name(), e.key(),
          sec.entries(e.key())));
      String target = "[" + o.newSection() + "] " + o.newKey().key();
      String fix = advice(o, plan.get());
      if (o.removed()) {
        add(Severity.ERROR, e, "removed queue option [" + o.section() + "] " + kv(e)
            + ": Gitea 1.20+ and queuekit refuse to start while it is set; use " + target, fix);
      } else {
        // go-ini finds [queue.task]'s own key first, then [queue]'s: either way this one supplies
        // nothing (QueueLayers says why), and the message must not say it still does
        boolean own = file.entry(o.newSection(), o.newKey().key())
            .filter(x -> !x.value().isEmpty()).isPresent();
        String effect = o.newValue(file).isPresent() && !own
            ? "it still supplies [queue.task]'s default" : "it sets nothing here";
        add(Severity.WARNING, e, "deprecated option [" + o.section() + "] " + kv(e) + ": " + effect
            + ", as in Gitea, which has announced its removal; use " + target, fix);
      }
    }
    Optional<IniEntry> length = file.entry(QueueLayers.TASK_SECTION, "QUEUE_LENGTH");
    if (length.isPresent() && !length.get().value().isEmpty()) {
      checkValue(length.get(), Setting.LENGTH);
    }
  }

  /**
   * What to do about an old option: what {@code config-migrator migrate} does with it, from the
   * same decision ({@link OldOption#plan}), so that the advice never promises a move that the
   * migration refuses.
   */
  private String advice(OldOption o, OldOption.Plan p) {
    String key = o.newKey().key();
    return switch (p.action()) {
      case DELETE_NO_EFFECT -> "delete the line: " + p.reason()
          + o.shadowedIntentHint(file).map(h -> "; " + h).orElse("");
      case CONFLICT_UNUSABLE -> "write a CONN_STR the queue can use in [" + o.newSection()
          + "] and delete the line: " + p.reason();
      case MOVE -> "move it to [" + o.newSection() + "] as " + kv(key, p.value())
          + (p.connStrOverride() == null ? "" : ", with CONN_STR = (empty) there so that it does"
              + " not inherit [" + p.connStrOverride().section() + "] " + kv(p.connStrOverride())
              + " (line " + p.connStrOverride().line() + "), which a " + p.value() + " queue"
              + " cannot use")
          + " (" + MIGRATE + ")";
      case DELETE_SAME -> "delete the line: " + existing(o, p) + " and says the same ("
          + MIGRATE + ")";
      case CONFLICT_EXISTING -> "delete the line: " + existing(o, p) + "; if it should have "
          + kv(key, p.value()) + ", write that there (config-migrator migrate leaves both lines"
          + " and reports a conflict: it never overwrites a key that is set)";
    };
  }

  /** "[queue.task] TYPE = level (line 2) is the task queue's own". */
  private static String existing(OldOption o, OldOption.Plan p) {
    IniEntry n = p.existing();
    return "[" + n.section() + "] " + kv(n) + " (line " + n.line() + ") is the " + o.queue()
        + " queue's own";
  }

  private void queueSections() {
    // by name: only the sections read here have their entries read
    for (String n : file.sectionNames()) {
      if (n.equals(QueueLayers.QUEUE) || n.startsWith(QueueLayers.PREFIX)) {
        IniSection s = file.section(n).orElseThrow();
        if (n.equals(QueueLayers.PREFIX)) {
          addSection(Severity.WARNING, s.line(), n, "section [queue.] names no queue",
              "write the queue's name after the dot, e.g. [queue.mail]");
        }
        // each key's entries grouped in one pass: a section with many keys stays linear
        Map<String, List<IniEntry>> byKey = new LinkedHashMap<>();
        for (IniEntry e : s.entries()) {
          byKey.computeIfAbsent(e.key(), k -> new ArrayList<>(1)).add(e);
        }
        byKey.forEach((key, all) -> checkKey(s, key, all));
      } else {
        String folded = IniParser.trimSpace(n).toLowerCase(Locale.ROOT);
        if (folded.equals(QueueLayers.QUEUE) || folded.startsWith(QueueLayers.PREFIX)) {
          String want = IniParser.trimSpace(n).toLowerCase(Locale.ROOT).equals(QueueLayers.QUEUE)
              ? QueueLayers.QUEUE : QueueLayers.PREFIX + IniParser.trimSpace(n).substring(6);
          int line = file.section(n).orElseThrow().line();
          addSection(Severity.WARNING, line, n, "section [" + n + "] is not read: section"
              + " names are case-sensitive and keep blanks (go-ini, as Gitea reads app.ini)",
              "rename it to [" + want + "]");
        }
      }
    }
  }

  private void checkKey(IniSection s, String key, List<IniEntry> all) {
    IniEntry e = all.get(all.size() - 1);
    warnRepeated(s.name(), key, all);
    Optional<Setting> setting = Setting.byKey(key).filter(x -> x.key().equals(key));
    if (setting.isPresent()) {
      if (!e.value().isEmpty()) {
        checkValue(e, setting.get());
      }
      if (setting.get() == Setting.TYPE) {
        QueueSettings.oldTypeName(e.value()).ifPresent(now -> add(Severity.WARNING, e,
            "TYPE = " + e.value().trim() + " is a type name of Gitea before 1.20; it is read as "
                + now + " (Gitea 1.20+ reads it as level)", "write TYPE = " + now + " (" + MIGRATE + ")"));
      }
      if (setting.get() == Setting.CONN_STR) {
        backends.currentConnStr(e.value()).ifPresent(now -> add(Severity.WARNING, e,
            // the old value last: a password ending it is masked to the end of the line (a
            // comma-form value runs to the next comma), which must not swallow the message
            "CONN_STR is in an old form, which the " + now.getKey() + " backend reads as "
                + now.getValue() + ", as Gitea converts it: " + ConnStrings.maskConnStr(e.value()),
            "write CONN_STR = " + now.getValue() + " (" + MIGRATE + ")"));
      }
      return;
    }
    LegacyQueueKey legacy = LegacyQueueKey.byKey(key);
    if (legacy != null) {
      String successor = legacy.successor == null
          ? "it has no successor" : "its successor is " + legacy.successor.key();
      add(Severity.WARNING, e, kv(e) + " has no effect: Gitea dropped it in 1.20's queue rewrite;"
          + " " + successor, "delete it; " + legacy.advice);
      return;
    }
    Optional<Setting> folded = Setting.byKey(key);
    if (folded.isPresent()) {
      add(Severity.WARNING, e, "unknown key " + key + " in [" + s.name() + "]: keys are"
          + " case-sensitive (go-ini, as Gitea reads app.ini), so it is ignored",
          "write it as " + folded.get().key());
      return;
    }
    Optional<Setting> closest = Setting.closest(key);
    if (closest.isPresent()) {
      add(Severity.WARNING, e, "unknown key " + key + " in [" + s.name() + "] is ignored: did you"
          + " mean " + closest.get().key() + "?", "rename it to " + closest.get().key()
          + ", or delete it");
    } else {
      add(Severity.WARNING, e, "unknown key " + key + " in [" + s.name() + "] is ignored (no"
          + " queue setting is spelt like it)", "delete it, or move it to the section that reads"
          + " it; README's settings table lists the queue keys");
    }
  }

  private void checkValue(IniEntry e, Setting setting) {
    try {
      QueueSettings.builder().set(setting, e.value());
    } catch (QueueConfigException ex) {
      String prefix = e.key().equals(setting.key())
          ? "" : "read as [queue." + QueueLayers.TASK + "] " + setting.key() + ": ";
      add(Severity.ERROR, e, prefix + ex.getMessage(),
          "write a valid " + setting.key() + ": " + setting.description());
    }
  }

  // ---------------------------------------------------------------------------------------------

  /** Checks each queue the file configures, as resolved, where its own section adds a problem. */
  private void resolutions() {
    check(DEFAULT_QUEUE, List.of(QueueLayers.section(file, QueueLayers.QUEUE, false)), List.of(),
        QueueLayers.QUEUE);
    Set<String> names = new LinkedHashSet<>();
    for (String s : file.sectionNames()) {
      if (s.startsWith(QueueLayers.PREFIX) && s.length() > 6) {
        names.add(s.substring(QueueLayers.PREFIX.length()));
      }
    }
    names.add(QueueLayers.TASK);
    for (String n : names) {
      List<QueueLayers.Layer> layers = QueueLayers.layers(file, n);
      boolean own = file.section(QueueLayers.PREFIX + n).isPresent();
      List<QueueLayers.Layer> parent = own
          ? layers.subList(0, layers.size() - 1) : layers.subList(1, layers.size());
      String section = own ? QueueLayers.PREFIX + n : QueueLayers.TASK_SECTION;
      check(n, layers, parent, section);
    }
  }

  /**
   * Checks queue {@code queue} as resolved: keys that disagree, then what its backend refuses.
   * Every independent problem is reported: a bad value (reported where it is written) is left out
   * and the default stands in for it, but a check whose answer would be about that default (its
   * message names the key), or that reads a bad TYPE, is skipped rather than say something false.
   */
  private void check(String queue, List<QueueLayers.Layer> layers,
      List<QueueLayers.Layer> parent, String ownSection) {
    QueueLayers.Lenient r = QueueLayers.resolveLenient(file, queue, layers);
    if (r.disagrees() && !parentDisagrees(queue, parent)) {
      // inherited keys that disagree are reported for the parent
      reportDisagreement(queue, (QueueConfigException) r.disagreement.getCause(), ownSection);
    }
    if (r.settings == null || r.bad.contains(Setting.TYPE)) {
      return; // the backend checks read the TYPE (and the settings), reported where written
    }
    QueueLayers.Value conn = r.effective.get(Setting.CONN_STR);
    QueueLayers.Value type = r.effective.get(Setting.TYPE);
    checkHonoured(queue, r, type, ownSection);
    if (conn == null || conn.text.isEmpty() || conn.entry == null
        || r.bad.contains(Setting.CONN_STR)) {
      return;
    }
    // Report where the file makes the problem: at a queue only if its own section (or, for task,
    // [task]) writes the CONN_STR or the TYPE; an inherited problem is reported for its parent.
    boolean ownProblem = conn.section.equals(ownSection)
        || (type != null && type.entry != null && type.section.equals(ownSection));
    if (!ownProblem) {
      return;
    }
    String typeOrigin = (type == null ? "the default" : type.where(name))
        + shadowedTaskType(queue, type);
    checkConnStr(queue, conn, r, typeOrigin);
  }

  /** Keys that disagree, at the first key of {@code ownSection} the message names. */
  private void reportDisagreement(String queue, QueueConfigException cause, String ownSection) {
    String who = queue.equals(DEFAULT_QUEUE) ? "" : "queue " + queue + ": ";
    String fix = "make the keys agree in [" + ownSection + "]"
        + (ownSection.equals(QueueLayers.QUEUE) ? "" : " or [queue]");
    // at the first key the message names that this section writes, not at its header
    Optional<IniEntry> at = file.section(ownSection).flatMap(sec -> sec.entries().stream()
        .filter(en -> QueueLayers.named(cause.getMessage(), en.key()) >= 0)
        .min(Comparator.comparingInt(en -> QueueLayers.named(cause.getMessage(), en.key()))));
    if (at.isPresent()) {
      add(Severity.ERROR, at.get(), who + cause.getMessage(), fix);
    } else {
      addSection(Severity.ERROR, file.section(ownSection).map(IniSection::line).orElse(0),
          ownSection, who + cause.getMessage(), fix);
    }
  }

  /**
   * For the task queue whose TYPE comes from {@code [queue]}: ", which shadows [task] QUEUE_TYPE =
   * redis (line 4)" when {@code [task]} asks for a type too, so that the message says why that
   * one is not the task queue's ({@link QueueLayers}); else empty.
   */
  private String shadowedTaskType(String queue, QueueLayers.Value type) {
    if (!queue.equals(QueueLayers.TASK) || type == null || type.entry == null
        || !type.section.equals(QueueLayers.QUEUE)) {
      return "";
    }
    return OldOption.TASK_QUEUE_TYPE.find(file).filter(t -> !t.value().isEmpty())
        .map(t -> ", which shadows [task] " + kv(t) + " (line " + t.line() + ")").orElse("");
  }

  /** A start-up refusal of a setting a backend may not honour ({@link BaseQueues}). */
  private interface Refusal {
    void check(BaseQueueFactory backend, String type, String queue, QueueSettings settings);
  }

  /**
   * {@code GLOBAL_MAX_WORKERS} above 0 or a {@code DURABILITY} with a backend that cannot honour
   * it: start-up refuses it ({@link BaseQueues#refuseGlobalCap}, {@link
   * BaseQueues#refuseDurability}). Reported at the queue whose own section writes the setting or
   * the TYPE; an inherited one at its parent.
   */
  private void checkHonoured(String queue, QueueLayers.Lenient r, QueueLayers.Value type,
      String ownSection) {
    checkHonoured(queue, r, type, ownSection, Setting.GLOBAL_MAX_WORKERS, "0",
        BaseQueues::refuseGlobalCap);
    checkHonoured(queue, r, type, ownSection, Setting.DURABILITY, "none",
        BaseQueues::refuseDurability);
  }

  private void checkHonoured(String queue, QueueLayers.Lenient r, QueueLayers.Value type,
      String ownSection, Setting setting, String off, Refusal refusal) {
    QueueLayers.Value value = r.effective.get(setting);
    Optional<BaseQueueFactory> backend = backends.find(r.settings.type());
    if (value == null || value.entry == null || backend.isEmpty() || r.bad.contains(setting)
        || !ownsEither(value, type, ownSection)) {
      return;
    }
    try {
      refusal.check(backend.get(), r.settings.type(), queue, r.settings);
    } catch (QueueConfigException e) {
      if (r.aboutLeftOut(e.getMessage())) {
        return; // about a default standing in for a value reported where it is written
      }
      add(Severity.ERROR, value.entry, unnamed(queue, e), "write " + setting.key() + " = " + off
          + " (or delete it) " + forWhom(queue) + ", or set TYPE = redis: start-up would refuse "
          + "it");
    }
  }

  /**
   * A start-up refusal's message as the check reports it: the [queue] section's own finding is
   * not about a queue named "default queue", so that name is left out.
   */
  private static String unnamed(String queue, QueueConfigException e) {
    String m = e.getMessage();
    String named = "queue \"" + queue + "\": ";
    return queue.equals(DEFAULT_QUEUE) && m.startsWith(named) ? m.substring(named.length()) : m;
  }

  private static String forWhom(String queue) {
    return queue.equals(DEFAULT_QUEUE) ? "in [queue]" : "for this queue";
  }

  /** Whether the queue's own section writes {@code value} or the TYPE: else its parent reports. */
  private static boolean ownsEither(QueueLayers.Value value, QueueLayers.Value type,
      String ownSection) {
    return value.section.equals(ownSection)
        || (type != null && type.entry != null && type.section.equals(ownSection));
  }

  /**
   * Asks the queue's backend what start-up will ask ({@link BaseQueueFactory#validate}: its own
   * CONN_STR rules, host, port, database, …). On a refusal, says which backend the string was
   * written for, when another backend on the class path claims its scheme or form.
   */
  private void checkConnStr(String queue, QueueLayers.Value conn, QueueLayers.Lenient r,
      String typeOrigin) {
    String t = r.settings.type();
    Optional<BaseQueueFactory> backend = backends.find(t);
    if (backend.isEmpty()) {
      return; // the TYPE is reported where it is written
    }
    try {
      backend.get().validate(t, queue, r.settings);
    } catch (QueueConfigException e) {
      if (r.aboutLeftOut(e.getMessage())) {
        return; // about a default standing in for a value reported where it is written
      }
      Optional<String> meant = QueueLayers.writtenFor(conn.text).filter(other -> !other.equals(t));
      String fix;
      if (conn.section.equals(QueueLayers.QUEUE) && !queue.equals(DEFAULT_QUEUE)) {
        // inherited from [queue], which other queues may need: override it in the queue's section
        String own = QueueLayers.PREFIX + queue;
        fix = "write CONN_STR = (empty) in [" + own + "] (it overrides [queue]'s), or a CONN_STR a "
            + t + " queue reads there" + meant.map(o -> ", or set TYPE = " + o + " in [" + own + "]")
                .orElse("");
      } else {
        List<String> readers = conn.section.equals(QueueLayers.QUEUE)
            ? inheritors() : List.of();
        // a CONN_STR from [task] is the task queue's: its TYPE goes in [queue.task], as [task]
        // QUEUE_TYPE may be shadowed by [queue]
        String typeAt = conn.section.equals(QueueLayers.TASK_SECTION)
            ? " in [" + QueueLayers.PREFIX + QueueLayers.TASK + "]" : "";
        if (readers.isEmpty()) {
          fix = "write a CONN_STR a " + t + " queue reads, or delete it"
              + meant.map(o -> ", or set TYPE = " + o + typeAt).orElse("")
              + ": start-up would refuse it";
        } else {
          // [queue] CONN_STR is also what these queues read: deleting it would strip them of it
          fix = "write a CONN_STR a " + t + " queue reads"
              + meant.map(o -> ", or set TYPE = " + o).orElse("") + ": start-up would refuse it;"
              + " do not just delete it: " + String.join(", ", readers) + " read"
              + (readers.size() == 1 ? "s" : "") + " it (write it there first)";
        }
      }
      add(Severity.ERROR, conn.entry, "CONN_STR = " + conn.text + " cannot be used by a " + t
          + " queue (" + describe(queue) + ", TYPE from " + typeOrigin + ")"
          + meant.map(o -> ": it is a " + o + " connection string").orElse("") + "; "
          + e.getMessage(), fix);
    }
  }

  /**
   * The {@code [queue.NAME]} sections that write their own TYPE but inherit {@code [queue]}'s
   * CONN_STR: the queues that read it, which its deletion would strip.
   */
  private List<String> inheritors() {
    List<String> out = new ArrayList<>();
    for (String s : file.sectionNames()) {
      if (!s.startsWith(QueueLayers.PREFIX) || s.length() == QueueLayers.PREFIX.length()) {
        continue;
      }
      Map<Setting, QueueLayers.Value> v = QueueLayers.effective(
          QueueLayers.layers(file, s.substring(QueueLayers.PREFIX.length())));
      QueueLayers.Value conn = v.get(Setting.CONN_STR);
      QueueLayers.Value type = v.get(Setting.TYPE);
      if (conn != null && conn.section.equals(QueueLayers.QUEUE) && type != null
          && type.section.equals(s)) {
        out.add("[" + s + "]");
      }
    }
    return out;
  }

  /** Whether the keys disagree in {@code parent} already, which reports it. */
  private boolean parentDisagrees(String queue, List<QueueLayers.Layer> parent) {
    return QueueLayers.resolveLenient(file, queue, parent).disagrees();
  }

  private static String describe(String queue) {
    return queue.equals(DEFAULT_QUEUE) ? "every queue without its own [queue.NAME] type"
        : "queue " + queue;
  }
}
