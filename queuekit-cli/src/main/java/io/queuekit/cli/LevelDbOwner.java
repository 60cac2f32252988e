package io.queuekit.cli;

import io.queuekit.QueueException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.Supplier;

/**
 * Refuses a LevelDB directory that another user owns, before anything opens it. LevelDB rewrites
 * its files at every open, even for a look (a new {@code MANIFEST} and {@code CURRENT}, a new log,
 * compacted tables), and creates them as the user the command runs as, with that user's umask:
 * one {@code queues} run as root beside a service running as its own user left files the service
 * then failed to open ({@code CURRENT: Permission denied}). The command must run as the owner.
 *
 * <p>There is no flag to open the directory anyway: whoever can read another user's directory can
 * run the command as that user ({@code sudo -u OWNER}), and a flag would be reached for exactly
 * when an operator is in a hurry, breaking the service it was meant to look at.
 *
 * <p><b>Thread-safety:</b> immutable; {@link #check} may be called from any thread.
 */
final class LevelDbOwner {
  /**
   * The user this process runs as, named as {@link Files#getOwner} names a directory's owner: on
   * Linux the owner of {@code /proc/self} (a uid without a passwd entry, as in many containers,
   * is then its number on both sides, where {@code user.name} would say "?"), elsewhere the JVM's
   * {@code user.name}.
   */
  static final Supplier<String> PROCESS_USER = LevelDbOwner::processUser;

  private static String processUser() {
    try {
      return Files.getOwner(Path.of("/proc/self")).getName();
    } catch (IOException | UnsupportedOperationException e) {
      return System.getProperty("user.name");
    }
  }

  private final Supplier<String> currentUser;

  /** @param currentUser the user the command runs as: {@link #PROCESS_USER}, or a test's */
  LevelDbOwner(Supplier<String> currentUser) {
    this.currentUser = currentUser;
  }

  /**
   * Returns when {@code dir} is the current user's, or when there is nothing to rewrite (no such
   * directory: opening it then finds no store and creates nothing) or no owner to read (a file
   * system without one; opening it reports its own error).
   *
   * @throws NotTheOwner naming the queue, the directory, its owner and the current user
   */
  void check(String queue, Path dir) {
    String owner;
    try {
      owner = Files.getOwner(dir).getName();
    } catch (IOException | UnsupportedOperationException e) {
      // missing or unreadable: the open that follows says so, having written nothing
      return;
    }
    String me = currentUser.get();
    if (owner.equals(me)) {
      return;
    }
    throw new NotTheOwner("queue \"" + queue + "\": the LevelDB directory " + dir + " is owned by "
        + owner + ", but this command runs as " + me + "; LevelDB rewrites its files (CURRENT, "
        + "MANIFEST, logs, tables) at every open, even to look, and as " + me + " the service "
        + "could then no longer open them (\"Permission denied\"). Nothing was opened: run the "
        + "command as the directory's owner, e.g. sudo -u " + owner + " java -jar queuekit.jar ...");
  }

  /** The command runs as a user who does not own the LevelDB directory: a usage error. */
  static final class NotTheOwner extends QueueException {
    private static final long serialVersionUID = 1L;

    NotTheOwner(String message) {
      super(message);
    }
  }
}
