package io.queuekit.cli;

import io.queuekit.internal.Previews;
import io.queuekit.spi.StoreStats;
import java.util.List;

/**
 * {@code queues}' text table, a {@link TextTable}: each column as wide as its widest cell, figures
 * aligned right. A queue name longer than {@link #NAME_MAX} characters is cut there, ending with
 * {@code …}, so that one long name does not push every row past the terminal's edge; a line under
 * the table then says so and where the whole names are ({@code --format json}, which is never
 * cut). A row that has no figures says why from the READY column on.
 *
 * <p><b>Thread-safety:</b> one thread; build, then {@link #toString()}.
 */
final class QueuesTable {
  /** The longest queue name shown whole in the table. */
  static final int NAME_MAX = 40;

  private final TextTable table = new TextTable(
      List.of("QUEUE", "TYPE", "READY", "DELAYED", "IN-FLIGHT", "DEAD", "OLDEST WAITING"),
      false, false, true, true, true, true, false);
  private boolean cut;

  /** A queue's figures; {@code oldest} is how long the oldest waiting item has waited, or "-". */
  QueuesTable figures(String name, String type, StoreStats s, String oldest) {
    table.add(name(name), type, s.ready(), s.delayed(), s.inFlight(), s.dead(), oldest);
    return this;
  }

  /** A queue without figures: {@code why} in place of them. */
  QueuesTable without(String name, String type, String why) {
    table.addThen(why, name(name), type);
    return this;
  }

  /** {@code name} as the table shows it: escaped, and cut at {@link #NAME_MAX} with {@code …}. */
  private String name(String name) {
    String shown = Previews.text(name, NAME_MAX);
    cut |= !shown.equals(Previews.text(name, Integer.MAX_VALUE));
    return shown;
  }

  /** The table, then, if a name was cut, a line saying so. */
  @Override
  public String toString() {
    return table + (cut ? "(a name ending in … is cut at " + NAME_MAX + " characters: "
        + "queues --format json shows it whole)\n" : "");
  }
}
