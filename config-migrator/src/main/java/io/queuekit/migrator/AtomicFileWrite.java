package io.queuekit.migrator;

import io.queuekit.ini.IniFile;
import java.io.IOException;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFileAttributes;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;

/**
 * Replaces a file's content atomically, after keeping a backup: a reader sees the old file or the
 * new one, never a half-written one, and a crash leaves the old file in place.
 *
 * <ol>
 *   <li>A symbolic link is followed: the file it points to is replaced, the link kept.
 *   <li>The backup {@code FILE.bak} is a copy with the same attributes; if it exists already, {@code
 *       FILE.bak.yyyyMMdd-HHmmss} (then {@code -1}, {@code -2}, …): no backup is overwritten.
 *   <li>The new content goes to a temporary file in the same directory, forced to disk, with the
 *       old file's permissions, owner and group (failing, rather than leaving a file the service
 *       may not read, when the owner cannot be kept), then renamed over the file with {@code
 *       ATOMIC_MOVE}.
 * </ol>
 *
 * <p><b>Durability:</b> the new content is forced to disk before the rename; the directory entry
 * is not forced (Java offers no portable way), so a power cut right after the rename may, on some
 * file systems, bring back the old file, which is intact either way.
 */
final class AtomicFileWrite {
  private static final DateTimeFormatter STAMP = DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss");

  private AtomicFileWrite() {}

  /**
   * Writes {@code content} to {@code file}; returns the backup's path.
   *
   * @throws IOException when the backup, the temporary file or the rename fails; the file is then
   *     unchanged and no temporary file is left
   */
  static Path replace(Path file, IniFile content) throws IOException {
    Path target = file.toRealPath();
    Path backup = backup(target);
    Path tmp = Files.createTempFile(target.getParent(), "." + target.getFileName() + ".", ".tmp");
    try {
      try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE,
          StandardOpenOption.TRUNCATE_EXISTING)) {
        content.writeTo(Channels.newOutputStream(ch)); // the bytes as they are, not a copy
        ch.force(true);
      }
      copyAttributes(target, tmp);
      Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE);
    } finally {
      Files.deleteIfExists(tmp);
    }
    return backup;
  }

  private static Path backup(Path target) throws IOException {
    Path candidate = target.resolveSibling(target.getFileName() + ".bak");
    String stamp = LocalDateTime.now().format(STAMP);
    for (int i = 0; ; i++) {
      try {
        Files.copy(target, candidate, StandardCopyOption.COPY_ATTRIBUTES);
        return candidate;
      } catch (FileAlreadyExistsException e) {
        candidate = target.resolveSibling(target.getFileName() + ".bak." + stamp
            + (i == 0 ? "" : "-" + i));
      }
    }
  }

  private static void copyAttributes(Path from, Path to) throws IOException {
    PosixFileAttributeView view =
        Files.getFileAttributeView(to, PosixFileAttributeView.class, LinkOption.NOFOLLOW_LINKS);
    if (view == null) {
      return; // not a POSIX file system: the temporary file has the directory's defaults
    }
    PosixFileAttributes attrs = Files.readAttributes(from, PosixFileAttributes.class);
    view.setPermissions(attrs.permissions());
    if (!Files.getOwner(to).equals(attrs.owner())) {
      try {
        view.setOwner(attrs.owner());
      } catch (IOException e) {
        throw new IOException("cannot keep the owner " + attrs.owner().getName() + " of " + from
            + "; run as that user or as root", e);
      }
    }
    if (!view.readAttributes().group().equals(attrs.group())) {
      try {
        view.setGroup(attrs.group());
      } catch (IOException e) {
        throw new IOException("cannot keep the group " + attrs.group().getName() + " of " + from
            + "; run as a member of it or as root", e);
      }
    }
  }
}
