package io.queuekit.admin;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Base64;

/** The admin API's one secret: generated from {@link SecureRandom}, compared in constant time. Immutable. */
final class BearerToken {

  private final byte[] expected;

  BearerToken(String token) {
    this.expected = token.getBytes(StandardCharsets.UTF_8);
  }

  static String generate() {
    byte[] bytes = new byte[24];
    new SecureRandom().nextBytes(bytes);
    return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
  }

  /** Whether an {@code Authorization} header value carries this token. */
  boolean matches(String authorizationHeader) {
    if (authorizationHeader == null || !authorizationHeader.regionMatches(true, 0, "Bearer ", 0, 7)) {
      return false;
    }
    byte[] given = authorizationHeader.substring(7).trim().getBytes(StandardCharsets.UTF_8);
    return MessageDigest.isEqual(given, expected);
  }
}
