package io.queuekit.migrator;

import io.queuekit.QueueSettings;
import io.queuekit.Setting;
import io.queuekit.ini.IniEntry;
import io.queuekit.ini.IniFile;
import io.queuekit.ini.OldOption;
import io.queuekit.internal.ConnStrings;
import io.queuekit.spi.BaseQueues;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Rewrites an INI file so that it no longer needs the removed or deprecated queue options, keeping
 * what it means and every line it does not touch:
 *
 * <ol>
 *   <li>each old {@code key=value} Redis {@code CONN_STR} in {@code [queue]} and {@code
 *       [queue.NAME]} becomes the URI Gitea converts it to, in place (key, spacing and comment
 *       kept);
 *   <li>each {@link OldOption} present moves to its replacement key ({@link OldOption#newValue}:
 *       the value it stood for), added after the last entry of {@code [queue.NAME]} or in a new
 *       section at the end; its inline comment goes with it; the comments above it stay;
 *   <li>an old option that sets nothing (empty, shadowed by {@code [queue]}, or a key Gitea did not
 *       read for the queue's type, such as a Redis {@code ISSUE_INDEXER_QUEUE_CONN_STR} for a
 *       {@code levelqueue}) is deleted, and the step says why;
 *   <li>a queue whose moved TYPE cannot use the {@code CONN_STR} it would inherit from {@code
 *       [queue]} (written for another backend) gets {@code CONN_STR =} in its own section, as the
 *       old option never read {@code [queue]}'s;
 *   <li>an old {@code CONN_STR} the queue's type cannot use (a {@code leveldb://} path for a redis
 *       issue queue) is left alone and reported as a conflict;
 *   <li>an old option whose replacement key is already written is deleted when both say the same,
 *       and otherwise left alone and reported as a conflict: the migration never overwrites a
 *       new-style key.
 * </ol>
 *
 * What the old options mean is computed from the file as read, before any edit.
 */
final class Migration {
  enum Kind { CONVERTED, MOVED, ADDED, DELETED, CONFLICT }

  /** One thing the migration did (or, for a conflict, would not do). Passwords masked. */
  record Step(Kind kind, int line, String description) {
    @Override
    public String toString() {
      return kind.name().toLowerCase(java.util.Locale.ROOT) + ": " + description;
    }
  }

  /**
   * The migrated file, the steps ordered by line of the original file, and the changed lines (for
   * the diff).
   */
  record Result(IniFile before, IniFile after, List<Step> steps, List<IniFile.Change> changes) {
    boolean changed() {
      return steps.stream().anyMatch(s -> s.kind() != Kind.CONFLICT);
    }

    List<Step> conflicts() {
      return steps.stream().filter(s -> s.kind() == Kind.CONFLICT).toList();
    }
  }

  private final IniFile original;
  private final List<Step> steps = new ArrayList<>();
  // Every edit refers to the original file and is applied at once: linear in the file's size.
  private final IniFile.Edits edits;

  private Migration(IniFile original) {
    this.original = original;
    this.edits = original.edit();
  }

  static Result run(IniFile file) {
    Migration m = new Migration(file);
    m.convertConnStrs();
    m.renameOldTypes();
    m.moveOldOptions();
    IniFile.Edited edited = m.edits.applyWithChanges();
    List<Step> sorted = new ArrayList<>(m.steps);
    sorted.sort(Comparator.comparingInt(Step::line));
    return new Result(file, edited.file(), List.copyOf(sorted), edited.changes());
  }

  private String where(IniEntry e) {
    return original.sourceName() + ":" + e.line() + " [" + e.section() + "] " + e.key() + " = "
        + e.value();
  }

  private void step(Kind kind, IniEntry at, String description) {
    steps.add(new Step(kind, at.line(), ConnStrings.mask(description)));
  }

  private void convertConnStrs() {
    BaseQueues backends = BaseQueues.load();
    for (String name : original.sectionNames()) {
      if (!name.equals("queue") && !name.startsWith("queue.")) {
        continue;
      }
      for (IniEntry e : original.section(name).orElseThrow().entries(Setting.CONN_STR.key())) {
        Optional<Map.Entry<String, String>> now = backends.currentConnStr(e.value());
        if (now.isPresent()) {
          String uri = now.get().getValue();
          edits.setValue(e, uri);
          step(Kind.CONVERTED, e, where(e) + " -> CONN_STR = " + uri);
        }
      }
    }
  }

  /** Each old Gitea type name in {@code [queue]} and {@code [queue.NAME]} becomes the current one, in place. */
  private void renameOldTypes() {
    for (String name : original.sectionNames()) {
      if (!name.equals("queue") && !name.startsWith("queue.")) {
        continue;
      }
      for (IniEntry e : original.section(name).orElseThrow().entries(Setting.TYPE.key())) {
        Optional<String> now = QueueSettings.oldTypeName(e.value());
        if (now.isPresent()) {
          edits.setValue(e, now.get());
          step(Kind.CONVERTED, e, where(e) + " -> TYPE = " + now.get());
        }
      }
    }
  }

  /** Each old option, as {@link OldOption#plan} decides (the check's advice says the same). */
  private void moveOldOptions() {
    for (OldOption o : OldOption.values()) {
      Optional<OldOption.Plan> plan = o.plan(original);
      if (plan.isEmpty()) {
        continue;
      }
      OldOption.Plan p = plan.get();
      IniEntry old = p.old();
      String target = "[" + o.newSection() + "] " + o.newKey().key();
      switch (p.action()) {
        case DELETE_NO_EFFECT -> step(Kind.DELETED, old, where(old) + ": it set nothing ("
            + p.reason() + ")" + o.shadowedIntentHint(original).map(h -> "; " + h).orElse(""));
        case CONFLICT_UNUSABLE -> step(Kind.CONFLICT, old, where(old) + " not moved: "
            + p.reason() + "; write a CONN_STR the queue can use in [" + o.newSection()
            + "] and delete this line");
        case DELETE_SAME -> step(Kind.DELETED, old, where(old) + ": " + target + " = "
            + p.existing().value() + " (line " + p.existing().line() + ") already says the same");
        case CONFLICT_EXISTING -> step(Kind.CONFLICT, old, where(old) + " not moved: " + target
            + " = " + p.existing().value() + " (line " + p.existing().line() + ") is already set,"
            + " and the old option would make it " + p.value() + "; keep the one you want and"
            + " delete the other");
        case MOVE -> move(o, p, target);
        default -> throw new AssertionError(p.action());
      }
      if (p.changes()) {
        deleteAll(p);
      }
    }
  }

  private void move(OldOption o, OldOption.Plan p, String target) {
    IniEntry old = p.old();
    String comment = old.inlineComment().startsWith(";") || old.inlineComment().startsWith("#")
        ? old.inlineComment() : "";
    edits.addKey(o.newSection(), o.newKey().key(), p.value(), comment);
    step(Kind.MOVED, old, where(old) + " -> " + target + " = " + p.value());
    if (p.connStrOverride() != null) {
      IniEntry c = p.connStrOverride();
      edits.addKey(o.newSection(), Setting.CONN_STR.key(), "", "");
      step(Kind.ADDED, old, "[" + o.newSection() + "] CONN_STR = (empty), so that the "
          + p.value() + " queue moved there from " + where(old) + " does not inherit ["
          + c.section() + "] CONN_STR = " + c.value() + ", which it cannot use (the old option"
          + " never read it)");
    }
  }

  /**
   * Removes every line of the option: the one go-ini reads and the earlier ones of the same key
   * it does not, each named in a step of its own (no line goes unsaid).
   */
  private void deleteAll(OldOption.Plan p) {
    for (IniEntry e : p.shadowed()) {
      edits.remove(e);
      step(Kind.DELETED, e, where(e) + ": deleted with line " + p.old().line() + ", which sets "
          + e.key() + " again: go-ini (and so Gitea) reads only the last one");
    }
    edits.remove(p.old());
  }
}
