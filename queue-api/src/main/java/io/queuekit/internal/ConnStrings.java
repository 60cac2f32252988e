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
 *   <li>after {@code password=} (and {@code sentinelpassword=}, any case, {@code _} or {@code -}
 *       between the words), in a URI query or in Gitea's old blank-separated {@code key=value}
 *       form, the value runs to the next blank or comma: {@code password=top&secret} hides
 *       {@code top&secret}; only a following {@code &name=value} option is kept visible (and is
 *       itself masked if it is a password).
 *   <li>in the old comma-separated form ({@code network=tcp,addr=h:6379,password=pw,db=0}), the
 *       value runs to the next comma or the end of the line, blanks included: {@code password=top
 *       secret,db=0} hides {@code top secret}. The form is recognised by a comma right before
 *       {@code password=} or a {@code ,name=} after it on its line; a message continuing after
 *       the value without a comma is masked along with it.
 * </ul>
 *
 * <p><b>Thread-safety:</b> stateless.
 */
public final class ConnStrings {
  private static final String MASK = "****";
  /** A whitespace-free token holding "//" and, after it, an "@". */
  private static final Pattern URI_TOKEN = Pattern.compile("[^\\s]*//[^\\s]*@[^\\s]*");
  private static final Pattern PASSWORD_KEY =
      Pattern.compile("(?i)(?<![A-Za-z0-9])(?:sentinel[_-]?)?password=");
  /** A value in a URI query or the blank-separated form: up to a blank or comma. */
  private static final Pattern VALUE = Pattern.compile("[^\\s,]*");
  /** A value in the comma-separated form: up to a comma or the line's end, blanks included. */
  private static final Pattern COMMA_FORM_VALUE = Pattern.compile("[^,\\r\\n]*");
  /** A comma-separated field after the value, on the same line: {@code ,db=0}. */
  private static final Pattern COMMA_FIELD = Pattern.compile("^[^\\r\\n]*?,[A-Za-z_][A-Za-z0-9_-]*=");
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
    String values = maskPasswordValues(text);
    StringBuilder out = new StringBuilder();
    Matcher m = URI_TOKEN.matcher(values);
    while (m.find()) {
      m.appendReplacement(out, Matcher.quoteReplacement(maskUserInfo(m.group())));
    }
    m.appendTail(out);
    return out.toString();
  }

  private static String maskUserInfo(String token) {
    int slashes = token.indexOf("//");
    int at = token.lastIndexOf('@');
    if (at < slashes) {
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
    StringBuilder out = new StringBuilder();
    Matcher key = PASSWORD_KEY.matcher(text);
    int copied = 0;
    while (key.find(copied)) {
      int start = key.end();
      boolean commaForm = commaForm(text, key.start(), start);
      Matcher value = (commaForm ? COMMA_FORM_VALUE : VALUE).matcher(text).region(start, text.length());
      value.lookingAt(); // both match the empty string
      int end = value.end();
      if (!commaForm) {
        // a following &name=value is kept, and searched again: it may be a password of its own
        Matcher next = NEXT_OPTION.matcher(text).region(start, end);
        end = next.find() ? next.start() : end;
      }
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
