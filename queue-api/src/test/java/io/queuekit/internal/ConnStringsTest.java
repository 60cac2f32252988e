package io.queuekit.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Random;
import java.util.function.Function;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * One masking routine for every connection-string form, tried with generated passwords holding
 * {@code / @ : & ? # % ;} and non-ASCII characters, alone and inside the texts that carry them.
 */
class ConnStringsTest {
  private static final String SPECIAL = "/@:&?#%;";
  private static final String PLAIN = "abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789üé€ß字";

  /** Every form Gitea accepts, with PW where the password goes. */
  static final List<String> FORMS = List.of(
      "redis://:PW@h:6379/0",
      "redis://user:PW@h:6379/0",
      "redis://PW@h:6379/0",
      "redis//:PW@h:6379/0",
      "rediss://u:PW@h1:6379,h2:6379/0?db=1",
      "redis+sentinel://:PW@h:26379/0?mastername=m&sentinelpassword=PW",
      "redis+sentinels://h:26379/0?mastername=m&sentinel_password=PW",
      "redis+cluster://:PW@h1:7000,h2:7001",
      "redis://h:6379/0?password=PW&db=1",
      "redis://h:6379/0?Password=PW",
      "redis+socket:///run/redis.sock?password=PW&db=2",
      "addrs=127.0.0.1:6379 db=0 password=PW",
      "network=tcp,addr=127.0.0.1:6379,password=PW,db=0",
      "postgres://u:PW@db:5432/x?sslmode=require&sslpassword=PW&pool=9",
      "postgresql://db:5432/x?user=u&password=PW&sslPassword=PW");

  /** Where a connection string shows up: alone, in a message, in JSON, in an INI line. */
  static final List<Function<String, String>> CONTEXTS = List.of(
      c -> c,
      c -> "queue \"mail\": Redis at " + c + " is unavailable (claim): connection refused",
      c -> "{\"message\": \"CONN_STR = " + c + "\", \"line\": 3}",
      c -> "CONN_STR = " + c + " ; the mail queue's store");

  static Stream<Arguments> passwords() {
    long master = new Random().nextLong();
    Random r = new Random(master);
    return IntStream.range(0, 300).mapToObj(i -> Arguments.of(master, i, password(r)));
  }

  /** 6 to 16 characters, at least one of / @ : & ? # % ; among letters, digits and non-ASCII. */
  static String password(Random r) {
    StringBuilder b = new StringBuilder();
    int n = 6 + r.nextInt(11);
    for (int i = 0; i < n; i++) {
      b.append(r.nextInt(3) == 0 ? SPECIAL.charAt(r.nextInt(SPECIAL.length()))
          : PLAIN.charAt(r.nextInt(PLAIN.length())));
    }
    b.setCharAt(r.nextInt(n), SPECIAL.charAt(r.nextInt(SPECIAL.length())));
    return b.toString();
  }

  @ParameterizedTest(name = "seed {0} #{1}")
  @MethodSource("passwords")
  void thePasswordNeverShowsInAnyFormOrContext(long seed, int i, String password) {
    for (String form : FORMS) {
      String pw = password;
      if (form.startsWith("redis://PW@") ) {
        pw = pw.replace(':', 'x'); // a ':' would make it user:password, not a lone password
      }
      if (form.contains(",") || form.contains(" db=")) {
        pw = pw.replace(',', 'x'); // the old key=value forms split at commas and blanks
      }
      String conn = form.replace("PW", pw);
      for (Function<String, String> context : CONTEXTS) {
        String text = context.apply(conn);
        String masked = ConnStrings.mask(text);
        assertThat(masked).as("seed %d #%d: %s", seed, i, text).doesNotContain(pw).contains("****");
        assertThat(ConnStrings.mask(masked)).as("masking twice changes nothing").isEqualTo(masked);
      }
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("readable")
  void whatIsNotAPasswordStaysReadable(String conn, String masked) {
    assertThat(ConnStrings.mask(conn)).isEqualTo(masked);
  }

  static Stream<Arguments> readable() {
    return Stream.of(
        Arguments.of("redis://user:pa55@127.0.0.1:6379/0?pool_size=1", "redis://user:****@127.0.0.1:6379/0?pool_size=1"),
        Arguments.of("redis://pa55@h:6379/0", "redis://****@h:6379/0"),
        Arguments.of("redis://h:6379/0?password=top&secret", "redis://h:6379/0?password=****"),
        Arguments.of("addrs=h:6379 password=top&secret db=0", "addrs=h:6379 password=**** db=0"),
        Arguments.of("redis://h:6379/0?password=pw&db=1", "redis://h:6379/0?password=****&db=1"),
        Arguments.of("postgres://u:pw@db:5432/x?sslmode=require&sslpassword=key&pool=9",
            "postgres://u:****@db:5432/x?sslmode=require&sslpassword=****&pool=9"),
        Arguments.of("redis://h:6379/0", "redis://h:6379/0"),
        Arguments.of("leveldb:///var/lib/q?engine=java", "leveldb:///var/lib/q?engine=java"),
        Arguments.of("redis://:p@ss/w@rd@h:6379/0", "redis://:****@h:6379/0"),
        Arguments.of("network=tcp,addr=h:6379,password=pw,db=0", "network=tcp,addr=h:6379,password=****,db=0"));
  }

  /**
   * In the comma-separated form a value runs to the next comma, so a blank does not end a
   * password there: each case once leaked its part after the blank ({@code secret}).
   */
  @ParameterizedTest(name = "{0}")
  @MethodSource("commaForm")
  void aBlankInACommaFormPasswordIsMaskedToTheComma(String text, String masked) {
    assertThat(ConnStrings.mask(text)).isEqualTo(masked).doesNotContain("secret");
    assertThat(ConnStrings.mask(masked)).as("masking twice changes nothing").isEqualTo(masked);
  }

  static Stream<Arguments> commaForm() {
    return Stream.of(
        Arguments.of("network=tcp,addr=127.0.0.1:6379,password=top secret,db=0",
            "network=tcp,addr=127.0.0.1:6379,password=****,db=0"),
        Arguments.of("password=top secret,addr=h:6379,db=0", "password=****,addr=h:6379,db=0"),
        Arguments.of("network=tcp,addr=h:6379,password=top  secret word", "network=tcp,addr=h:6379,password=****"),
        Arguments.of("queue \"mail\": Redis at network=tcp,addr=h:6379,password=top secret,db=0 is unavailable",
            "queue \"mail\": Redis at network=tcp,addr=h:6379,password=****,db=0 is unavailable"),
        Arguments.of("CONN_STR = network=tcp,addr=h:6379,password=top secret\nTYPE = redis",
            "CONN_STR = network=tcp,addr=h:6379,password=****\nTYPE = redis"),
        Arguments.of("network=tcp,addr=h:6379,sentinel_password=top secret,db=0",
            "network=tcp,addr=h:6379,sentinel_password=****,db=0"));
  }

  /** A password option after another one's kept {@code &name=} is masked too. */
  @ParameterizedTest(name = "{0}")
  @MethodSource("twoPasswords")
  void aPasswordOptionAfterAnotherIsMasked(String text, String masked) {
    assertThat(ConnStrings.mask(text)).isEqualTo(masked).doesNotContain("secret2");
  }

  static Stream<Arguments> twoPasswords() {
    return Stream.of(
        Arguments.of("redis+sentinel://h:26379/0?mastername=m&password=secret1&sentinelpassword=secret2",
            "redis+sentinel://h:26379/0?mastername=m&password=****&sentinelpassword=****"),
        Arguments.of("redis://h:6379/0?password=secret1&db=1&Password=secret2",
            "redis://h:6379/0?password=****&db=1&Password=****"));
  }

  /**
   * A password holding a blank: in text, a URI whose authority before the blank cannot be a host
   * and port runs on to the next "@" on its line; a string known to be one connection string is
   * masked whole, a lone password and a query option included. Each case once showed its part.
   */
  @ParameterizedTest(name = "{0}")
  @MethodSource("blankPasswords")
  void aPasswordHoldingABlankIsMasked(String text, String masked) {
    assertThat(ConnStrings.mask(text)).isEqualTo(masked).doesNotContain("s3cr3t");
    assertThat(ConnStrings.mask(masked)).as("masking twice changes nothing").isEqualTo(masked);
  }

  static Stream<Arguments> blankPasswords() {
    return Stream.of(
        Arguments.of("redis://:s3cr3t PW@127.0.0.1:1/0", "redis://:****@127.0.0.1:1/0"),
        Arguments.of("queue \"mail\": Redis at redis://:s3cr3t two words@h:6379/0 is down",
            "queue \"mail\": Redis at redis://:****@h:6379/0 is down"),
        Arguments.of("CONN_STR=postgres://app:s3cr3t PW@db:5432/q names no database",
            "CONN_STR=postgres://app:****@db:5432/q names no database"));
  }

  @Test
  void aHostBeforeABlankIsNotTakenForAPassword() {
    String text = "Redis at redis://h:6379/0 is down; write to ops@example.com";
    assertThat(ConnStrings.mask(text)).isEqualTo(text);
    String v6 = "redis://[::1]:6379/0 and x@y";
    assertThat(ConnStrings.mask(v6)).isEqualTo(v6);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("wholeConnStrs")
  void aWholeConnectionStringIsMaskedBlanksIncluded(String connStr, String masked) {
    assertThat(ConnStrings.maskConnStr(connStr)).isEqualTo(masked).doesNotContain("s3cr3t");
    assertThat(ConnStrings.mask(masked)).as("text masking leaves it").isEqualTo(masked);
  }

  static Stream<Arguments> wholeConnStrs() {
    return Stream.of(
        Arguments.of("redis://s3cr3t PW@h:6379/0", "redis://****@h:6379/0"),
        Arguments.of("redis://u:s3cr3t PW@h:6379/0", "redis://u:****@h:6379/0"),
        Arguments.of("redis://h:6379/0?password=s3cr3t PW&db=1", "redis://h:6379/0?password=****&db=1"),
        Arguments.of("redis+sentinel://h:26379/0?mastername=m&sentinel_password=s3cr3t x",
            "redis+sentinel://h:26379/0?mastername=m&sentinel_password=****"),
        Arguments.of("postgres://app:s3@cr3t PW@db:5432/q", "postgres://app:****@db:5432/q"),
        Arguments.of("addrs=h:6379 password=s3cr3t db=0", "addrs=h:6379 password=**** db=0"),
        Arguments.of("redis://h:6379/0?password=&&#:s3cr3t b&db=1", "redis://h:6379/0?password=****&db=1"),
        Arguments.of("redis://h:6379/0", "redis://h:6379/0"));
  }
}
