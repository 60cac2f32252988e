package io.queuekit.redis;

import io.lettuce.core.RedisNoScriptException;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.cluster.api.async.RedisClusterAsyncCommands;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The Lua scripts of the Redis layout ({@code lua/*.lua}, each prefixed by the parts of {@code
 * prelude.lua} it needs), run by SHA with {@code EVALSHA}; a server that answers {@code NOSCRIPT}
 * (restarted, flushed, another cluster node) gets the script body with {@code EVAL}, which also
 * caches it there.
 *
 * <p>The prelude's head (the key names and constants) goes into every script; each of its {@code
 * local function}s only into the scripts that call it, directly or through another prelude
 * function, in the prelude's order. Defining a function is not free: it makes a closure on every
 * run, and defining all of them took about as long as the rest of a script call's own overhead.
 *
 * <p><b>Thread-safety:</b> immutable after class initialisation.
 */
final class Scripts {

  /** One script per store operation. */
  enum Script {
    OPEN, PUSH, PUSHED, CLAIM, ACK, RELEASE, UNCLAIM, DEADLETTER, REMOVEALL, LEN, STATS, REPLAY,
    PURGE, REGISTER, HEARTBEAT, SWEEP, RECOVER, PROMOTE, REST;

    final String body;
    final String sha;

    Script() {
      String own = read(name().toLowerCase(java.util.Locale.ROOT));
      this.body = withoutComments(Prelude.INSTANCE.forScript(own) + "\n" + own);
      this.sha = sha1(body);
    }
  }

  /**
   * The script without its comment lines and blank lines: what the server hashes and compiles.
   * Redis hashes an {@code EVAL}'s body twice per call (to find its flags, then the script), and
   * the comments were half the bytes. The scripts use no long strings, so a line whose text
   * starts with {@code --} is a comment.
   */
  static String withoutComments(String lua) {
    StringBuilder sb = new StringBuilder(lua.length());
    for (String line : lua.split("\n")) {
      String t = line.strip();
      if (!t.isEmpty() && !t.startsWith("--")) {
        sb.append(line).append('\n');
      }
    }
    return sb.toString();
  }

  /** {@code prelude.lua} cut into its head and its functions (with the comment above each). */
  static final class Prelude {
    /** A top-level function: the comment lines right above it, through its closing "end". */
    private static final Pattern FUNCTION = Pattern.compile(
        "^(?:--[^\\n]*\\n)*local function (\\w+)\\(.*?^end\\n",
        Pattern.MULTILINE | Pattern.DOTALL);
    static final Prelude INSTANCE = new Prelude(read("prelude"));

    private final String head;
    /** Function name → its text, in the prelude's order. */
    private final Map<String, String> functions = new LinkedHashMap<>();

    Prelude(String text) {
      Matcher m = FUNCTION.matcher(text);
      int headEnd = -1;
      int last = 0;
      while (m.find()) {
        if (headEnd < 0) {
          headEnd = m.start();
        } else if (!text.substring(last, m.start()).isBlank()) {
          throw new IllegalStateException("prelude.lua: text between functions, before \""
              + m.group(1) + "\" (only the head may hold code outside functions)");
        }
        functions.put(m.group(1), m.group());
        last = m.end();
      }
      if (headEnd < 0 || !text.substring(last).isBlank()) {
        throw new IllegalStateException("prelude.lua: expected a head, then only local functions");
      }
      this.head = text.substring(0, headEnd);
    }

    /** The head plus every function {@code script} calls, directly or through another. */
    String forScript(String script) {
      Set<String> needed = new HashSet<>();
      Deque<String> todo = new ArrayDeque<>(called(script));
      while (!todo.isEmpty()) {
        String f = todo.pop();
        if (needed.add(f)) {
          todo.addAll(called(functions.get(f)));
        }
      }
      StringBuilder sb = new StringBuilder(head);
      for (Map.Entry<String, String> e : functions.entrySet()) {
        if (needed.contains(e.getKey())) {
          sb.append('\n').append(e.getValue());
        }
      }
      return sb.toString();
    }

    /** The prelude functions {@code code} calls (a name followed by an opening parenthesis). */
    private List<String> called(String code) {
      List<String> out = new ArrayList<>();
      for (String name : functions.keySet()) {
        if (Pattern.compile("(?<![\\w.:])" + name + "\\s*\\(").matcher(code).find()) {
          out.add(name);
        }
      }
      return out;
    }
  }

  /** A TYPES table: {@code local TYPES = { 'list', ... }}. */
  private static final Pattern TYPES = Pattern.compile("^local TYPES = \\{([^}]*)\\}",
      Pattern.MULTILINE);
  private static final Pattern QUOTED = Pattern.compile("'([a-z]+)'");

  /**
   * The type each key of the open script's {@code KEYS} holds, by 0-based index: {@code
   * prelude.lua}'s {@code TYPES}, the table the scripts check keys against (so the client names
   * the type a script expects, and the two cannot differ), in the order of {@link
   * RedisKeys#NAMES} then {@link RedisKeys#MIGRATION_NAMES}.
   */
  static final List<String> KEY_TYPES = keyTypes(Prelude.INSTANCE.head); // TYPES is in the head

  /**
   * The types of {@code prelude}'s {@code TYPES} table, in order.
   *
   * @throws IllegalStateException when it has none, or one whose entries are not exactly quoted
   *     type names
   */
  static List<String> keyTypes(String prelude) {
    Matcher m = TYPES.matcher(prelude);
    if (!m.find()) {
      throw new IllegalStateException("prelude.lua: no \"local TYPES = { ... }\" table");
    }
    List<String> out = new ArrayList<>();
    for (String item : m.group(1).split(",")) {
      Matcher q = QUOTED.matcher(item.strip());
      if (!q.matches()) {
        throw new IllegalStateException("prelude.lua: TYPES entry " + (out.size() + 1)
            + " is not a quoted type name: " + item.strip());
      }
      out.add(q.group(1));
    }
    return List.copyOf(out);
  }

  private Scripts() {}

  /** Runs {@code script} asynchronously; the result is whatever the script returns. */
  @SuppressWarnings("unchecked")
  static <T> CompletionStage<T> run(RedisClusterAsyncCommands<byte[], byte[]> redis, Script script,
      byte[][] keys, byte[]... args) {
    ScriptOutputType type = ScriptOutputType.MULTI;
    if (script == Script.LEN || script == Script.REPLAY || script == Script.PURGE
        || script == Script.REGISTER || script == Script.HEARTBEAT
        || script == Script.REST) {
      type = ScriptOutputType.INTEGER;
    }
    ScriptOutputType t = type;
    CompletableFuture<T> first = redis.<T>evalsha(script.sha, t, keys, args).toCompletableFuture();
    return first.handle((v, e) -> {
      if (e == null) {
        return CompletableFuture.completedFuture(v);
      }
      if (noScript(e)) {
        return redis.<T>eval(script.body.getBytes(StandardCharsets.UTF_8), t, keys, args)
            .toCompletableFuture();
      }
      return CompletableFuture.<T>failedFuture(cause(e));
    }).thenCompose(f -> f);
  }

  /** Whether {@code e} (or what it wraps) is the server's {@code NOSCRIPT}: it lost its scripts. */
  static boolean noScript(Throwable e) {
    Throwable cause = cause(e);
    return cause instanceof RedisNoScriptException
        || (cause.getMessage() != null && cause.getMessage().startsWith("NOSCRIPT"));
  }

  private static Throwable cause(Throwable e) {
    return e instanceof java.util.concurrent.CompletionException && e.getCause() != null
        ? e.getCause() : e;
  }

  private static String read(String name) {
    String path = "lua/" + name + ".lua";
    try (InputStream in = Scripts.class.getResourceAsStream(path)) {
      if (in == null) {
        throw new IllegalStateException("missing resource io/queuekit/redis/" + path);
      }
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read io/queuekit/redis/" + path, e);
    }
  }

  private static String sha1(String body) {
    try {
      MessageDigest md = MessageDigest.getInstance("SHA-1");
      return HexFormat.of().formatHex(md.digest(body.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every Java platform has SHA-1", e);
    }
  }
}
