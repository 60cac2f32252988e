package io.queuekit.redis;

import io.queuekit.QueueConfigException;
import io.queuekit.internal.ConnStrings;
import io.queuekit.internal.GoDuration;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * A parsed Redis {@code CONN_STR}, read exactly as Gitea's {@code modules/nosql} reads it.
 *
 * <p>Forms (Gitea's {@code ToRedisURI} and {@code getRedisOptions}):
 *
 * <pre>
 *   redis://[user:password@]host[:port][/db][?options]        one server
 *   rediss://…                                                 one server over TLS
 *   redis+socket://[user:password@]/path/to/redis.sock[?db=N]  Unix domain socket
 *   redis+sentinel://[password@]h1[:p1][,h2[:p2]…][/db]?mastername=M   (rediss+sentinel, redis+sentinels: TLS)
 *   redis+cluster://[password@]h1[:p1][,h2[:p2]…][?options]             (rediss+cluster, redis+clusters: TLS)
 *   addrs=127.0.0.1:6379 db=0                                   old space-separated form
 *   network=tcp,addr=127.0.0.1:6379,password=pw,db=0            old comma-separated form
 *   (empty)                                                     redis://127.0.0.1:6379/0
 * </pre>
 *
 * <p>A userinfo with only one part is the password (Gitea: "assume this is the password"). Query
 * keys are compared lower-case with {@code _} and {@code -} removed, so {@code pool_size},
 * {@code poolSize} and {@code pool-size} are one key. Options that change behaviour here:
 * {@code addr}, {@code addrs}, {@code username}, {@code password}, {@code db}/{@code database},
 * {@code timeout}, {@code dialtimeout}, {@code readtimeout}, {@code minretrybackoff}, {@code
 * maxretrybackoff}, {@code maxredirects}, {@code sentinelmasterid}/{@code mastername}, {@code
 * sentinelusername}, {@code sentinelpassword}, {@code skipverify}/{@code insecureskipverify},
 * {@code clientname} and queuekit's {@code prefix} (namespaces every key of the queue, inside its
 * hash tag). Gitea's connection-pool and routing options ({@code poolsize}, {@code
 * minidleconns}, {@code pooltimeout}, {@code idletimeout}, {@code idlecheckfrequency}, {@code
 * maxretries}, {@code writetimeout}, {@code readonly}, {@code routebylatency}, {@code
 * routerandomly}) are accepted and have no effect: Lettuce multiplexes one connection, and a queue
 * always reads and writes its masters. Anything else is reported by {@link #unknownOptions()}.
 *
 * <p><b>Thread-safety:</b> immutable.
 */
final class RedisConnStr {

  /** How the client reaches Redis. */
  enum Kind { STANDALONE, SOCKET, SENTINEL, CLUSTER }

  /** host and port of one address. */
  record HostPort(String host, int port) {
    @Override
    public String toString() {
      return host.contains(":") ? "[" + host + "]:" + port : host + ":" + port;
    }
  }

  static final String DEFAULT = "redis://127.0.0.1:6379/0";

  private static final List<String> NO_EFFECT = List.of("poolsize", "minidleconns", "pooltimeout",
      "idletimeout", "idlecheckfrequency", "maxretries", "writetimeout", "readonly",
      "routebylatency", "routerandomly");

  final String original;
  final String uri;
  final Kind kind;
  final boolean tls;
  final List<HostPort> addresses;
  final String socketPath;
  final String username;
  final String password;
  final int db;
  final String masterName;
  final String sentinelUsername;
  final String sentinelPassword;
  final boolean skipVerify;
  final Duration dialTimeout;
  final Duration readTimeout;
  final Duration minRetryBackoff;
  final Duration maxRetryBackoff;
  final int maxRedirects;
  final String clientName;
  final String prefix;
  final List<String> unknownOptions;

  private RedisConnStr(String original, String uri, Kind kind, boolean tls, List<HostPort> addresses,
      String socketPath, String username, String password, int db, Map<String, String> options,
      List<String> unknownOptions) {
    this.original = original;
    this.uri = uri;
    this.kind = kind;
    this.tls = tls;
    this.addresses = List.copyOf(addresses);
    this.socketPath = socketPath;
    this.username = username;
    this.password = password;
    this.db = db;
    this.masterName = options.getOrDefault("mastername", "");
    this.sentinelUsername = options.getOrDefault("sentinelusername", "");
    this.sentinelPassword = options.getOrDefault("sentinelpassword", "");
    this.skipVerify = bool(options.get("skipverify")) || bool(options.get("insecureskipverify"));
    Duration timeout = duration(options, "timeout");
    Duration dial = duration(options, "dialtimeout");
    Duration read = duration(options, "readtimeout");
    this.dialTimeout = dial != null ? dial : timeout;
    this.readTimeout = read != null ? read : timeout;
    this.minRetryBackoff = duration(options, "minretrybackoff");
    this.maxRetryBackoff = duration(options, "maxretrybackoff");
    this.maxRedirects = integer(options, "maxredirects", -1);
    this.clientName = options.getOrDefault("clientname", "");
    this.prefix = options.getOrDefault("prefix", "");
    this.unknownOptions = List.copyOf(unknownOptions);
  }

  /**
   * Parses {@code connStr}.
   *
   * @throws QueueConfigException naming the (masked) string and what is wrong with it
   */
  static RedisConnStr parse(String connStr) {
    String original = connStr == null ? "" : connStr.trim();
    Optional<String> scheme = GiteaRedisUri.scheme(original);
    if (original.contains("://") && scheme.isPresent() && !scheme.get().startsWith("redis")) {
      // Gitea reads it as the old form with no field, i.e. redis://127.0.0.1:6379/0: refuse it
      throw new QueueConfigException("CONN_STR " + ConnStrings.maskConnStr(original) + " is not a valid "
          + "Redis connection string: unknown scheme " + scheme.get() + "; use redis, rediss, "
          + "redis+socket, redis+sentinel or redis+cluster");
    }
    if (!original.isEmpty() && !original.contains("://") && !GiteaRedisUri.isLegacy(original)) {
      // Gitea reads such a string (a mistyped redis//:pw@host) as the old form with no field,
      // i.e. redis://127.0.0.1:6379/0 without a password: refuse it, as the check does.
      throw new QueueConfigException("CONN_STR " + ConnStrings.maskConnStr(original) + " is not a valid "
          + "Redis connection string: it is neither a URI (redis://host:port/db) nor the old "
          + "key=value form (addrs=host:port db=0)");
    }
    String uri = original.isEmpty() ? DEFAULT : toUri(original);
    RedisConnStr parsed = parseUri(original, uri);
    if (GiteaRedisUri.isLegacy(original)) {
      refuseMisread(parsed.unknownOptions, original);
    }
    return parsed;
  }

  /**
   * Refuses an old-form string holding a field Gitea skips (no {@code =}) or one nothing reads (a
   * misspelt {@code addrs}, passed on as an unknown option) when it names no server ({@code addr}
   * or {@code addrs}: Gitea would connect to 127.0.0.1:6379 without a word, though the string
   * most likely meant another server) or holds a password (such a field is most likely the rest
   * of a password holding a blank or a comma, which the old form cannot hold). Fields are then
   * named by position, or by name only where no password could be part of them.
   */
  private static void refuseMisread(List<String> unknown, String original) {
    List<String> fields = GiteaRedisUri.legacyFields(original);
    List<String> problems = new ArrayList<>();
    boolean namesServer = false;
    boolean password = false;
    for (int i = 0; i < fields.size(); i++) {
      String f = fields.get(i);
      int eq = f.indexOf('=');
      if (eq < 0) {
        if (!f.isBlank()) {
          problems.add("field " + (i + 1) + " of " + fields.size() + " has no '=' (Gitea skips "
              + "it)");
        }
        continue;
      }
      String k = f.substring(0, eq).toLowerCase(Locale.ROOT);
      namesServer |= k.equals("addr") || k.equals("addrs");
      // anywhere in the field: blank-split, "network=tcp,addr=h,password=top secret" puts the
      // password inside the network field's value
      password |= f.toLowerCase(Locale.ROOT).contains("password=");
    }
    if (!unknown.isEmpty()) {
      problems.add(password ? unknown.size() + " field(s) nothing reads (not named: one may be "
          + "part of the password)" : "no part of Gitea or queuekit reads the field"
          + (unknown.size() > 1 ? "s " : " ") + String.join(", ", unknown));
    }
    if (problems.isEmpty() || namesServer && !password) {
      return;
    }
    // the string itself is left out: a field that is the tail of a split password may not look
    // like one to the masker
    String why = namesServer ? "in the old key=value form, a password cannot hold a blank or a "
        + "comma (fields are split there)" : "in the old key=value form it names no server (no "
        + "addr= or addrs= field), so Gitea would use 127.0.0.1:6379";
    throw new QueueConfigException("CONN_STR is not a valid Redis connection string: " + why
        + ", yet " + String.join(" and ", problems) + "; write the server as addr=host:port "
        + "(addrs=h1:p1,h2:p2 for a cluster), or use a URI such as redis://:PASSWORD@host:port/0 "
        + "(a blank or comma in the password percent-encoded)");
  }

  /** The string with passwords masked, for logs and errors. */
  String masked() {
    return ConnStrings.maskConnStr(uri);
  }

  /** Where the client connects, for messages: the masked URI. */
  @Override
  public String toString() {
    return masked();
  }

  /**
   * The identity of the client this string needs: the URI without {@code prefix}, which only
   * namespaces keys, so queues with different prefixes on one server share one client.
   */
  String clientKey() {
    return uri.replaceAll("([?&])prefix=[^&]*&?", "$1").replaceAll("[?&]$", "");
  }

  Optional<String> unknownOptionsMessage() {
    return unknownOptions.isEmpty() ? Optional.empty()
        : Optional.of("unknown option(s) " + String.join(", ", unknownOptions) + " in CONN_STR "
            + masked() + " are ignored");
  }

  List<String> unknownOptions() {
    return unknownOptions;
  }

  /**
   * Gitea's {@code ToRedisURI}: a string whose scheme starts with {@code redis} is a URI; anything
   * else is the old key=value form, space- or comma-separated, converted onto {@code
   * redis://127.0.0.1:6379/0}.
   */
  static String toUri(String connection) {
    // One conversion for the config check, the migrator and this backend.
    return GiteaRedisUri.toUri(connection);
  }

  private static RedisConnStr parseUri(String original, String uri) {
    int schemeEnd = uri.indexOf("://");
    if (schemeEnd < 0) {
      throw bad(uri, "no scheme");
    }
    String scheme = uri.substring(0, schemeEnd).toLowerCase(Locale.ROOT);
    String rest = uri.substring(schemeEnd + 3);
    String query = "";
    int q = rest.indexOf('?');
    if (q >= 0) {
      query = rest.substring(q + 1);
      rest = rest.substring(0, q);
    }
    int fragment = query.indexOf('#');
    if (fragment >= 0) {
      query = query.substring(0, fragment);
    }
    int slash = rest.indexOf('/');
    String authority = slash < 0 ? rest : rest.substring(0, slash);
    String path = slash < 0 ? "" : rest.substring(slash);
    String userInfo = null;
    int at = authority.lastIndexOf('@');
    if (at >= 0) {
      userInfo = authority.substring(0, at);
      authority = authority.substring(at + 1);
    }
    String username = "";
    String password = "";
    if (userInfo != null) {
      int c = userInfo.indexOf(':');
      if (c >= 0) {
        username = unescape(userInfo.substring(0, c));
        password = unescape(userInfo.substring(c + 1));
      } else {
        // Gitea: a lone userinfo is the password
        password = unescape(userInfo);
      }
    }

    Kind kind;
    boolean tls;
    switch (scheme) {
      case "redis": kind = Kind.STANDALONE; tls = false; break;
      case "rediss": kind = Kind.STANDALONE; tls = true; break;
      case "redis+socket": kind = Kind.SOCKET; tls = false; break;
      case "redis+sentinel": kind = Kind.SENTINEL; tls = false; break;
      case "rediss+sentinel": case "redis+sentinels": kind = Kind.SENTINEL; tls = true; break;
      case "redis+cluster": kind = Kind.CLUSTER; tls = false; break;
      case "rediss+cluster": case "redis+clusters": kind = Kind.CLUSTER; tls = true; break;
      default:
        throw bad(uri, "unknown scheme " + scheme + "; use redis, rediss, redis+socket, "
            + "redis+sentinel, rediss+sentinel, redis+sentinels, redis+cluster, rediss+cluster "
            + "or redis+clusters");
    }

    Map<String, String> options = new LinkedHashMap<>();
    List<String> addrs = new ArrayList<>();
    List<String> unknown = new ArrayList<>();
    int db = 0;
    boolean dbSet = false;
    if (!query.isEmpty()) {
      for (String pair : query.split("&")) {
        if (pair.isEmpty()) {
          continue;
        }
        int eq = pair.indexOf('=');
        String rawKey = unescape(eq < 0 ? pair : pair.substring(0, eq));
        String value = eq < 0 ? "" : unescape(pair.substring(eq + 1));
        String key = rawKey.toLowerCase(Locale.ROOT).replace("_", "").replace("-", "");
        switch (key) {
          case "addr": addrs.add(value); break;
          case "addrs": addrs.addAll(List.of(value.split(","))); break;
          case "username": username = value; break;
          case "password": password = value; break;
          case "database": case "db":
            // go: opts.DB, _ = strconv.Atoi(v): a bad number is 0
            db = atoi(value);
            dbSet = true;
            break;
          case "sentinelmasterid": case "mastername": options.put("mastername", value); break;
          case "timeout": case "dialtimeout": case "readtimeout": case "minretrybackoff":
          case "maxretrybackoff": case "maxredirects": case "sentinelusername":
          case "sentinelpassword": case "skipverify": case "insecureskipverify":
          case "clientname": case "prefix":
            options.putIfAbsent(key, value);
            break;
          default:
            if (!NO_EFFECT.contains(key)) {
              unknown.add(rawKey);
            }
        }
      }
    }

    String socketPath = null;
    if (kind == Kind.SOCKET) {
      socketPath = authority.isEmpty() ? path : authority + path;
      if (socketPath.isEmpty()) {
        throw bad(uri, "redis+socket needs a socket path, e.g. redis+socket:///run/redis.sock");
      }
    } else {
      if (!authority.isEmpty()) {
        addrs.addAll(List.of(authority.split(",")));
      }
      if (path.length() > 1) {
        String p = path.substring(1);
        if (!p.matches("\\d+")) {
          throw bad(uri, "the path " + shown(uri, path) + " is not a database number");
        }
        db = Integer.parseInt(p);
        dbSet = true;
      }
    }
    int defaultPort = kind == Kind.SENTINEL ? 26379 : 6379;
    List<HostPort> addresses = new ArrayList<>();
    for (String a : addrs) {
      if (!a.isBlank()) {
        addresses.add(hostPort(uri, a.trim(), defaultPort));
      }
    }
    if (kind != Kind.SOCKET && addresses.isEmpty()) {
      throw bad(uri, "no host");
    }
    if (kind == Kind.CLUSTER && dbSet && db != 0) {
      throw bad(uri, "Redis Cluster has only database 0, but db " + db + " is configured");
    }
    if (kind == Kind.SENTINEL && !options.containsKey("mastername")) {
      throw bad(uri, "a sentinel connection needs the master's name: add ?mastername=NAME");
    }
    String prefix = options.getOrDefault("prefix", "");
    if (prefix.indexOf('{') >= 0 || prefix.indexOf('}') >= 0) {
      throw bad(uri, "prefix " + shown(uri, prefix) + " contains { or }: the braces are the queue's hash tag");
    }
    if (db < 0) {
      throw bad(uri, "database " + db + " is negative");
    }
    return new RedisConnStr(original, uri, kind, tls, addresses, socketPath, username, password, db,
        options, unknown);
  }

  private static HostPort hostPort(String uri, String a, int defaultPort) {
    String host = a;
    int port = defaultPort;
    if (a.startsWith("[")) {
      int end = a.indexOf(']');
      if (end < 0) {
        throw bad(uri, "bad address " + shown(uri, a));
      }
      host = a.substring(1, end);
      if (a.length() > end + 1) {
        if (a.charAt(end + 1) != ':') {
          throw bad(uri, "bad address " + shown(uri, a));
        }
        port = port(uri, a.substring(end + 2));
      }
    } else {
      int c = a.lastIndexOf(':');
      if (c >= 0) {
        host = a.substring(0, c);
        port = port(uri, a.substring(c + 1));
      }
    }
    if (host.isEmpty()) {
      host = "127.0.0.1";
    }
    return new HostPort(host, port);
  }

  private static int port(String uri, String p) {
    try {
      int port = Integer.parseInt(p);
      if (port < 1 || port > 65535) {
        throw bad(uri, "port " + shown(uri, p) + " is out of range");
      }
      return port;
    } catch (NumberFormatException e) {
      throw bad(uri, "port " + shown(uri, p) + " is not a number");
    }
  }

  private static int atoi(String v) {
    try {
      return Integer.parseInt(v.trim());
    } catch (NumberFormatException e) {
      return 0;
    }
  }

  private static int integer(Map<String, String> options, String key, int dflt) {
    String v = options.get(key);
    if (v == null) {
      return dflt;
    }
    try {
      return Integer.parseInt(v.trim());
    } catch (NumberFormatException e) {
      throw new QueueConfigException("CONN_STR option " + key + "=" + v + " is not a whole number");
    }
  }

  private static boolean bool(String v) {
    if (v == null) {
      return false;
    }
    // Go's strconv.ParseBool; an unparsable value leaves verification on, as in Gitea
    switch (v.trim()) {
      case "1": case "t": case "T": case "true": case "TRUE": case "True": return true;
      default: return false;
    }
  }

  /** A duration option: Go form ({@code 500ms}, {@code 3s}); a bare number means seconds. */
  private static Duration duration(Map<String, String> options, String key) {
    String v = options.get(key);
    if (v == null || v.isBlank()) {
      return null;
    }
    String t = v.trim();
    try {
      Duration d = t.matches("\\d+") ? Duration.ofSeconds(Long.parseLong(t)) : GoDuration.parse(t);
      return d.isZero() ? null : d;
    } catch (IllegalArgumentException | ArithmeticException e) {
      throw new QueueConfigException("CONN_STR option " + key + "=" + v
          + " is not a duration (e.g. 500ms, 3s): " + e.getMessage());
    }
  }

  private static String unescape(String s) {
    try {
      return URLDecoder.decode(s.replace("+", "%2B"), StandardCharsets.UTF_8);
    } catch (IllegalArgumentException e) {
      return s;
    }
  }

  /**
   * A piece of the string, quoted for an error message, unless the string holds credentials: a
   * password with a "/" or ":" in it ends up inside such pieces, where no masking can spot it.
   */
  private static String shown(String uri, String piece) {
    return uri.indexOf('@') >= 0 || uri.toLowerCase(Locale.ROOT).contains("password=")
        ? "(not shown: the string holds credentials)" : "\"" + piece + "\"";
  }

  private static QueueConfigException bad(String uri, String what) {
    return new QueueConfigException("CONN_STR " + ConnStrings.maskConnStr(uri) + " is not a valid Redis "
        + "connection string: " + what);
  }
}
