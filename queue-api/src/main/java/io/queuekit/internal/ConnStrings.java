package io.queuekit.internal;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Masks passwords in connection strings, and in any text that holds one (a log line, an error,
 * a check finding, a diff line, a settings dump). The one routine every output goes through.
 *
 * <p>It errs towards masking too much: a password may hold {@code / @ : & ? # % ;}, so
 *
 * <ul>
 *   <li>in a URI (and in a mistyped one, {@code redis//:pw@host}), everything between {@code //}
 *       and the <em>last</em> {@code @} of the same whitespace-free token is user information:
 *       what follows its first {@code :} is masked, and a lone user information (Gitea reads
 *       {@code redis://PASS@host} as the password) is masked whole;
 *   <li>after {@code password=}, and any key ending in it, any case ({@code sentinelpassword=},
 *       {@code sentinel_password=}, pgjdbc's {@code sslpassword=}), in a URI query or in Gitea's old blank-separated {@code key=value}
 *       form, the value runs to the next blank or comma: {@code password=top&secret} hides
 *       {@code top&secret}; only a following {@code &name=value} option is kept visible (and is
 *       itself masked if it is a password).
 *   <li>in the old comma-separated form ({@code network=tcp,addr=h:6379,password=pw,db=0}), the
 *       value runs to the next comma or the end of the line, blanks included: {@code password=top
 *       secret,db=0} hides {@code top secret}. The form is recognised by a comma right before
 *       {@code password=} or a {@code ,name=} after it on its line; a message continuing after
 *       the value without a comma is masked along with it.
 *   <li>a password holding a blank ({@code redis://:top secret@h:6379/0}) splits the URI into
 *       tokens: a token {@code scheme://…} without an {@code @} whose authority cannot be a host
 *       and port ({@code :top}, {@code user:top}) runs on, blanks included, to the last {@code @}
 *       of the next token on its line that holds one. A lone password with a blank ({@code
 *       redis://top secret@h}) looks like a host there: {@link #maskConnStr}, for a string known to
 *       be one connection string, masks it too.
 * </ul>
 *
 * <p><b>Thread-safety:</b> stateless.
 */
public final class ConnStrings {
  private static final String MASK = "****";
  /** A whitespace-free token holding "//" and, after it, an "@". */
  private static final Pattern URI_TOKEN = Pattern.compile("[^\\s]*//[^\\s]*@[^\\s]*");
  private static final Pattern PASSWORD_KEY =
      Pattern.compile("(?i)(?<![A-Za-z0-9_-])[A-Za-z0-9_-]*password=");
  /** A value in a URI query or the blank-separated form: up to a blank or comma. */
  private static final Pattern VALUE = Pattern.compile("[^\\s,]*");
  /** A value in the comma-separated form: up to a comma or the line's end, blanks included. */
  private static final Pattern COMMA_FORM_VALUE = Pattern.compile("[^,\\r\\n]*");
  /** A comma-separated field after the value, on the same line: {@code ,db=0}. */
  private static final Pattern COMMA_FIELD = Pattern.compile("^[^\\r\\n]*?,[A-Za-z_][A-Za-z0-9_-]*=");
  /** A token starting a URI, up to the first blank: its authority is checked for a host. */
  private static final Pattern URI_START = Pattern.compile("[^\\s]*//([^\\s/?#@]*)[^\\s@]*");
  /** An authority that may be a host and port: {@code h}, {@code h:6379}, {@code [::1]:6379}. */
  private static final Pattern HOST_PORT =
      Pattern.compile("(?:\\[[0-9A-Fa-f:.]*\\]|[^:\\[\\]]*)(?::\\d*)?(?:,.*)?");
  /** A URI's start: {@code scheme://}, after leading blanks. */
  private static final Pattern URI_SCHEME = Pattern.compile("\\s*[A-Za-z][A-Za-z0-9+.-]*://");
  /** A whitespace-free token holding an "@". */
  private static final Pattern AT_TOKEN = Pattern.compile("[^\\s]*@[^\\s]*");
  /** An option following a masked value: {@code &db=1} stays readable. */
  private static final Pattern NEXT_OPTION = Pattern.compile("&(?=[A-Za-z_][A-Za-z0-9_-]*=)");

  private ConnStrings() {}

  /** {@code text} with every password in it replaced by {@code ****}. */
  public static String mask(String text) {
    if (text == null || text.isEmpty()) {
      return text;
    }
    // password= values first: one may hold an "@", which must not pass for the end of a URI's
    // user information in the second step
    String values = joinBlankUserInfo(maskPasswordValues(text));
    StringBuilder out = new StringBuilder();
    Matcher m = URI_TOKEN.matcher(values);
    while (m.find()) {
      m.appendReplacement(out, Matcher.quoteReplacement(maskUserInfo(m.group())));
    }
    m.appendTail(out);
    return out.toString();
  }

  /**
   * {@code connStr}, known to be one connection string and nothing else, with its password
   * masked: a URI's user information runs from {@code //} to its last {@code @}, blanks included,
   * and a password option to the next option; the old {@code key=value} forms as {@link #mask}.
   */
  public static String maskConnStr(String connStr) {
    if (connStr == null || !URI_SCHEME.matcher(connStr).lookingAt()) {
      // the old key=value forms (a password there may hold "//" too)
      return mask(connStr);
    }
    // a password option's value runs to the next "&name=" option or the end: it may hold
    // "&", "#" and blanks
    return maskUserInfo(maskValues(connStr, (keyStart, start) -> {
      Matcher next = NEXT_OPTION.matcher(connStr).region(start, connStr.length());
      return next.find() ? next.start() : connStr.length();
    }));
  }

  /**
   * Masks, in place, the user information of a URI whose password holds a blank: a token {@code
   * scheme://auth…} without an {@code @} whose authority cannot be a host and port is joined, up
   * to the last {@code @} of the next token on its line holding one, and that span masked.
   */
  private static String joinBlankUserInfo(String text) {
    Matcher start = URI_START.matcher(text);
    StringBuilder out = new StringBuilder();
    int copied = 0;
    while (start.find(copied)) {
      int lineEnd = lineEnd(text, start.end());
      int at = -1;
      boolean hasAt = start.end() < text.length() && text.charAt(start.end()) == '@';
      if (!hasAt && !HOST_PORT.matcher(start.group(1)).matches()) {
        // the next token on the line holding an "@": the user information's end
        Matcher next = AT_TOKEN.matcher(text).region(start.end(), lineEnd);
        if (next.find()) {
          at = text.lastIndexOf('@', next.end() - 1);
        }
      }
      if (at < 0) {
        out.append(text, copied, start.end());
        copied = start.end();
        continue;
      }
      out.append(maskUserInfo(text.substring(copied, at + 1)));
      copied = at + 1;
    }
    return out.append(text, copied, text.length()).toString();
  }

  private static int lineEnd(String text, int from) {
    for (int i = from; i < text.length(); i++) {
      if (text.charAt(i) == '\n' || text.charAt(i) == '\r') {
        return i;
      }
    }
    return text.length();
  }

  private static String maskUserInfo(String token) {
    int slashes = token.indexOf("//");
    int at = token.lastIndexOf('@');
    if (slashes < 0 || at < slashes) {
      return token;
    }
    String userInfo = token.substring(slashes + 2, at);
    if (userInfo.isEmpty() || userInfo.equals(MASK) || userInfo.endsWith(":" + MASK)) {
      return token;
    }
    int colon = userInfo.indexOf(':');
    String masked = colon < 0 ? MASK : userInfo.substring(0, colon + 1) + MASK;
    return token.substring(0, slashes + 2) + masked + token.substring(at);
  }

  private static String maskPasswordValues(String text) {
    return maskValues(text, (keyStart, start) -> {
      boolean commaForm = commaForm(text, keyStart, start);
      Matcher value = (commaForm ? COMMA_FORM_VALUE : VALUE).matcher(text).region(start, text.length());
      value.lookingAt(); // both match the empty string
      int end = value.end();
      if (!commaForm) {
        // a following &name=value is kept, and searched again: it may be a password of its own
        Matcher next = NEXT_OPTION.matcher(text).region(start, end);
        end = next.find() ? next.start() : end;
      }
      return end;
    });
  }

  /**
   * {@code text} with the value after every {@code password=} key masked, the value ending where
   * {@code valueEnd} (given the key's start and the value's) says.
   */
  private static String maskValues(String text, java.util.function.IntBinaryOperator valueEnd) {
    StringBuilder out = new StringBuilder();
    Matcher key = PASSWORD_KEY.matcher(text);
    int copied = 0;
    while (key.find(copied)) {
      int start = key.end();
      int end = valueEnd.applyAsInt(key.start(), start);
      out.append(text, copied, start).append(end > start ? MASK : "");
      copied = end;
    }
    return out.append(text, copied, text.length()).toString();
  }

  /**
   * Whether the {@code password=} at {@code keyStart} is a field of the comma-separated form: a
   * comma right before it, or a {@code ,name=} field after it on its line.
   */
  private static boolean commaForm(String text, int keyStart, int valueStart) {
    return keyStart > 0 && text.charAt(keyStart - 1) == ','
        || COMMA_FIELD.matcher(text).region(valueStart, text.length()).lookingAt();
  }
}
