package io.queuekit.redis;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Gitea's Redis connection strings: the URI schemes it accepts, and the conversion of the old
 * {@code key=value} form ({@code addrs=127.0.0.1:6379 db=0}, {@code
 * network=tcp,addr=127.0.0.1:6379,password=secret,db=0}) into a URI, exactly as Gitea's {@code
 * nosql.ToRedisURI} does it, down to the order of query options, with one deliberate difference
 * noted at {@link #toUri}.
 *
 * <p>It lives with the Redis backend, which owns these rules: the configuration check and the
 * config migrator reach it through {@link RedisQueueFactory#currentConnStr}.
 *
 * <p><b>Thread-safety:</b> stateless.
 */
final class GiteaRedisUri {
  /** The schemes Gitea's Redis client accepts. */
  static final Set<String> SCHEMES = Set.of("redis", "rediss", "redis+socket",
      "redis+sentinel", "rediss+sentinel", "redis+sentinels", "redis+cluster", "rediss+cluster",
      "redis+clusters");

  private static final Pattern SCHEME = Pattern.compile("^([A-Za-z][A-Za-z0-9+.-]*):");
  private static final Pattern URI_PARTS =
      Pattern.compile("^[^:]+://(?:[^@/?#]*@)?[^/?#]*(/[^?#]*)?(?:\\?([^#]*))?");

  private GiteaRedisUri() {}

  /** The URI scheme of {@code connStr}, lower-cased as Go's URL parser does, if it has one. */
  static Optional<String> scheme(String connStr) {
    Matcher m = SCHEME.matcher(connStr.trim());
    return m.find() ? Optional.of(m.group(1).toLowerCase(Locale.ROOT)) : Optional.empty();
  }

  /** Whether {@code connStr} is the old {@code key=value} form (not a URI, holds a {@code =}). */
  static boolean isLegacy(String connStr) {
    return !connStr.isBlank() && !connStr.contains("://") && connStr.contains("=");
  }

  /**
   * {@code connStr} as a Redis URI: returned unchanged when its scheme starts with {@code redis};
   * otherwise read as the old form, starting from {@code redis://127.0.0.1:6379/0}:
   *
   * <ul>
   *   <li>fields are separated by blanks, or by commas when there is only one blank-separated field;
   *       a field without {@code =} is skipped; names are compared case-insensitively;
   *   <li>{@code network=unix} makes it {@code redis+socket}; {@code addrs} sets the host (several
   *       comma-separated over {@code tcp}: {@code redis+cluster}); {@code addr} sets the host;
   *       {@code password} and {@code username} the user info; {@code db} the path; {@code
   *       idle_timeout} gets an {@code s} when it is a bare number; anything else becomes a query
   *       option (sorted by name, URL-encoded as Go's {@code url.Values.Encode}).
   *   <li>For {@code redis+socket} the host becomes the path and the db a query option. Here
   *       queuekit differs from Gitea on purpose: Gitea writes the db with its leading slash
   *       ({@code db=%2F3}), which its own client then fails to read, silently using db 0; queuekit
   *       writes {@code db=3}.
   * </ul>
   */
  static String toUri(String connStr) {
    Optional<String> scheme = scheme(connStr);
    if (scheme.isPresent() && scheme.get().startsWith("redis")) {
      return connStr;
    }
    String uriScheme = "redis";
    String host = "127.0.0.1:6379";
    String path = "/0";
    String network = "tcp";
    String user = null;
    String password = null;
    Map<String, List<String>> query = new TreeMap<>();

    for (String f : legacyFields(connStr)) {
      int eq = f.indexOf('=');
      if (eq < 0) {
        continue;
      }
      String k = f.substring(0, eq);
      String v = f.substring(eq + 1);
      switch (k.toLowerCase(Locale.ROOT)) {
        case "network":
          if (v.equals("unix")) {
            uriScheme = "redis+socket";
          }
          network = v;
          break;
        case "addrs":
          host = v;
          if (v.contains(",") && network.equals("tcp")) {
            uriScheme = "redis+cluster";
          }
          break;
        case "addr":
          host = v;
          break;
        case "password":
          user = user == null ? "" : user;
          password = v;
          break;
        case "username":
          user = v;
          break;
        case "db":
          path = "/" + v;
          break;
        case "idle_timeout":
          query.computeIfAbsent("idle_timeout", x -> new ArrayList<>())
              .add(v.matches("[+-]?\\d+") ? v + "s" : v);
          break;
        default:
          query.computeIfAbsent(k, x -> new ArrayList<>()).add(v);
      }
    }
    if (uriScheme.equals("redis+socket")) {
      query.put("db", new ArrayList<>(List.of(path.startsWith("/") ? path.substring(1) : path)));
      path = host;
      host = "";
    }

    StringBuilder b = new StringBuilder(uriScheme).append("://");
    if (user != null) {
      b.append(escape(user, Mode.USER));
      if (password != null) {
        b.append(':').append(escape(password, Mode.USER));
      }
      b.append('@');
    }
    b.append(escape(host, Mode.HOST));
    if (!path.isEmpty() && !path.startsWith("/") && !host.isEmpty()) {
      b.append('/');
    }
    b.append(escape(path, Mode.PATH));
    String encoded = encodeQuery(query);
    if (!encoded.isEmpty()) {
      b.append('?').append(encoded);
    }
    return b.toString();
  }

  /**
   * The fields of the old form as Gitea splits them: at blanks, or at commas when there is only
   * one blank-separated field. A field without {@code =} is one Gitea skips.
   */
  static List<String> legacyFields(String connStr) {
    List<String> fields = goFields(connStr);
    return fields.size() == 1 ? List.of(connStr.split(",", -1)) : fields;
  }

  /**
   * The database index a Redis URI selects: its path ({@code /3}) or its {@code db} or {@code
   * database} option; 0 when it names none. Empty when the index is not a number.
   */
  static Optional<Integer> database(String uri) {
    Matcher m = URI_PARTS.matcher(uri);
    if (!m.find()) {
      return Optional.of(0);
    }
    String db = null;
    if (m.group(2) != null) {
      for (String option : m.group(2).split("&")) {
        int eq = option.indexOf('=');
        String name = eq < 0 ? option : option.substring(0, eq);
        if (name.equalsIgnoreCase("db") || name.equalsIgnoreCase("database")) {
          db = eq < 0 ? "" : option.substring(eq + 1);
        }
      }
    }
    if (db == null && m.group(1) != null && m.group(1).length() > 1) {
      db = m.group(1).substring(1);
    }
    if (db == null || db.isEmpty()) {
      return Optional.of(0);
    }
    try {
      return Optional.of(Integer.parseInt(db));
    } catch (NumberFormatException e) {
      return Optional.empty();
    }
  }

  /** Go's {@code strings.Fields}: split at runs of Unicode white space. */
  private static List<String> goFields(String s) {
    List<String> out = new ArrayList<>();
    int i = 0;
    while (i < s.length()) {
      while (i < s.length() && isSpace(s.charAt(i))) {
        i++;
      }
      int start = i;
      while (i < s.length() && !isSpace(s.charAt(i))) {
        i++;
      }
      if (i > start) {
        out.add(s.substring(start, i));
      }
    }
    return out;
  }

  /** Go's {@code unicode.IsSpace} (io.queuekit.ini.IniParser has the same, not exported). */
  private static boolean isSpace(char c) {
    switch (c) {
      case '\t': case '\n': case 0x0B: case '\f': case '\r': case ' ': case 0x85: case 0xA0:
        return true;
      default:
        return c > 0xFF && Character.isSpaceChar(c);
    }
  }

  private enum Mode { USER, HOST, PATH, QUERY }

  // Go's url.shouldEscape for the modes used by URL.String() and url.Values.Encode().
  private static boolean shouldEscape(int c, Mode mode) {
    if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')) {
      return false;
    }
    if (mode == Mode.HOST && "!$&'()*+,;=:[]<>\"".indexOf(c) >= 0) {
      return false;
    }
    if ("-_.~".indexOf(c) >= 0) {
      return false;
    }
    if ("$&+,/:;=?@".indexOf(c) >= 0) {
      switch (mode) {
        case PATH: return c == '?';
        case USER: return c == '@' || c == '/' || c == '?' || c == ':';
        default: return true;
      }
    }
    return true;
  }

  private static String escape(String s, Mode mode) {
    StringBuilder b = new StringBuilder();
    for (byte raw : s.getBytes(StandardCharsets.UTF_8)) {
      int c = raw & 0xFF;
      if (c == ' ' && mode == Mode.QUERY) {
        b.append('+');
      } else if (shouldEscape(c, mode)) {
        b.append('%').append(Character.toUpperCase(Character.forDigit(c >> 4, 16)))
            .append(Character.toUpperCase(Character.forDigit(c & 0xF, 16)));
      } else {
        b.append((char) c);
      }
    }
    return b.toString();
  }

  private static String encodeQuery(Map<String, List<String>> query) {
    StringBuilder b = new StringBuilder();
    for (Map.Entry<String, List<String>> e : query.entrySet()) {
      for (String v : e.getValue()) {
        if (b.length() > 0) {
          b.append('&');
        }
        b.append(escape(e.getKey(), Mode.QUERY)).append('=').append(escape(v, Mode.QUERY));
      }
    }
    return b.toString();
  }
}
