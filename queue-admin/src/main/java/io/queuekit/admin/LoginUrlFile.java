package io.queuekit.admin;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.SeekableByteChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.AclEntry;
import java.nio.file.attribute.AclEntryPermission;
import java.nio.file.attribute.AclEntryType;
import java.nio.file.attribute.AclFileAttributeView;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.EnumSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;

/**
 * The file a generated token's login URL is written to, so an operator can open the page while
 * the token never reaches a log: readable by the process's user alone (POSIX {@code 0600}), and
 * either whole or absent, never half-written nor ever readable by others.
 *
 * <p><b>Thread-safety:</b> stateless. Two servers writing one path leave the last one's URL
 * (each write is one rename); a server deletes the file at close only while it holds its URL.
 */
final class LoginUrlFile {

  /** The file's name in the manager's data path when none is configured. */
  static final String DEFAULT_NAME = "queuekit-admin-login.txt";

  private LoginUrlFile() {}

  /**
   * Writes {@code loginUrl} (and a newline) to {@code file}, replacing what is there; creates the
   * missing directories. The text goes to a fresh file of its own in the same directory, synced,
   * then renamed over {@code file}: a reader sees the old file or the new one, and a link planted
   * at {@code file} is replaced, not followed. With POSIX permissions the fresh file is created
   * owner-only (no moment in which it is wider); on a file system with ACLs alone (Windows) its
   * ACL is narrowed right after it is created and before the URL is written, so a process that
   * opened it in that instant, with access the directory's inherited ACL gave, could read it.
   *
   * @throws IOException the directory cannot be created or written, or its file system cannot
   *     restrict a file to its owner (neither POSIX permissions nor ACLs)
   */
  static void write(Path file, String loginUrl) throws IOException {
    Path target = file.toAbsolutePath();
    Path dir = target.getParent();
    Files.createDirectories(dir);
    byte[] random = new byte[8];
    new SecureRandom().nextBytes(random);
    Path temp = dir.resolve("." + target.getFileName() + "." + HexFormat.of().formatHex(random) + ".tmp");
    Set<String> views = dir.getFileSystem().supportedFileAttributeViews();
    boolean posix = views.contains("posix");
    if (!posix && !views.contains("acl")) {
      throw new IOException(dir + " is on a file system that can restrict a file to its owner neither by POSIX "
          + "permissions nor by ACLs");
    }
    FileAttribute<?>[] ownerOnly = posix
        ? new FileAttribute<?>[] {PosixFilePermissions.asFileAttribute(
            EnumSet.of(PosixFilePermission.OWNER_READ, PosixFilePermission.OWNER_WRITE))}
        : new FileAttribute<?>[0];
    try {
      try (SeekableByteChannel out = Files.newByteChannel(temp,
          Set.of(StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE), ownerOnly)) {
        if (!posix) {
          restrictToOwner(temp); // before the secret is written: it is never in a wider file
        }
        ByteBuffer text = ByteBuffer.wrap((loginUrl + "\n").getBytes(StandardCharsets.UTF_8));
        while (text.hasRemaining()) {
          out.write(text);
        }
        if (out instanceof FileChannel channel) {
          channel.force(true); // whole after a power loss too, not an empty file renamed in
        }
      }
      Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    } catch (IOException | RuntimeException e) {
      try {
        Files.deleteIfExists(temp);
      } catch (IOException cleanup) {
        e.addSuppressed(cleanup);
      }
      throw e;
    }
  }

  /**
   * Deletes {@code file} if it still holds {@code loginUrl}: once the server stops its token opens
   * nothing, and a file another server has since written is that server's.
   *
   * @return whether it was deleted
   */
  static boolean deleteIfHolding(Path file, String loginUrl) throws IOException {
    if (!Files.isRegularFile(file) || !Files.readString(file, StandardCharsets.UTF_8).equals(loginUrl + "\n")) {
      return false;
    }
    return Files.deleteIfExists(file);
  }

  /** An ACL granting {@code file}'s owner alone (Windows has no POSIX permissions). */
  private static void restrictToOwner(Path file) throws IOException {
    AclFileAttributeView acl = Files.getFileAttributeView(file, AclFileAttributeView.class);
    AclEntry owner = AclEntry.newBuilder().setType(AclEntryType.ALLOW).setPrincipal(acl.getOwner())
        .setPermissions(AclEntryPermission.READ_DATA, AclEntryPermission.WRITE_DATA, AclEntryPermission.APPEND_DATA,
            AclEntryPermission.READ_ATTRIBUTES, AclEntryPermission.WRITE_ATTRIBUTES,
            AclEntryPermission.READ_NAMED_ATTRS, AclEntryPermission.WRITE_NAMED_ATTRS,
            AclEntryPermission.READ_ACL, AclEntryPermission.WRITE_ACL, AclEntryPermission.DELETE,
            AclEntryPermission.SYNCHRONIZE)
        .build();
    acl.setAcl(List.of(owner));
  }
}
