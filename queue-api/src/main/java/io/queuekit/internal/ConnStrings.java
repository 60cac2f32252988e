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
 *       between the words), in a URI query or in Gitea's old {@code key=value} form, the value
 *       runs to the next blank or comma: {@code password=top&secret} hides {@code top&secret};
 *       only a following {@code &name=value} option is kept visible.
 * </ul>
 *
 * <p><b>Thread-safety:</b> stateless.
 */
public final class ConnStrings {
  private static final String MASK = "****";
  /** A whitespace-free token holding "//" and, after it, an "@". */
  private static final Pattern URI_TOKEN = Pattern.compile("[^\\s]*//[^\\s]*@[^\\s]*");
  private static final Pattern PASSWORD_KEY =
      Pattern.compile("(?i)(?<![A-Za-z0-9])((?:sentinel[_-]?)?password=)([^\\s,]*)");
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
    Matcher m = PASSWORD_KEY.matcher(text);
    while (m.find()) {
      String value = m.group(2);
      Matcher next = NEXT_OPTION.matcher(value);
      String kept = next.find() ? value.substring(next.start()) : "";
      String replacement = m.group(1) + (value.isEmpty() ? "" : MASK) + kept;
      m.appendReplacement(out, Matcher.quoteReplacement(replacement));
    }
    m.appendTail(out);
    return out.toString();
  }
}
