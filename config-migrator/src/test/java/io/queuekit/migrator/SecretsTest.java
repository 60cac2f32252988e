package io.queuekit.migrator;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Generated passwords (holding {@code / @ : & ? # % ;} and non-ASCII) in every connection-string
 * form never show in what an operator sees: check text, check JSON, or the migrate diff, for
 * files that pass and files that fail.
 */
class SecretsTest {
  private static final String SPECIAL = "/@:&?#%;";
  private static final String PLAIN = "abcdefghjkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789üé€字";

  /** Forms with PW for the password; a bad port or a missing master name makes check report them. */
  private static final List<String> FORMS = List.of(
      "redis://:PW@h:6379/0",
      "redis://user:PW@h:notaport/0",
      "redis://PW@h:6379/abc",
      "redis//:PW@h:6379/0",
      "redis+sentinel://:PW@h:26379/0?sentinelpassword=PW",
      "redis://h:6379/0?password=PW&db=1",
      "addrs=127.0.0.1:6379 db=0 password=PW",
      "network=tcp,addr=127.0.0.1:6379,password=PW,db=0");

  @TempDir Path dir;

  static Stream<Arguments> passwords() {
    long master = new Random().nextLong();
    Random r = new Random(master);
    return IntStream.range(0, 40).mapToObj(i -> {
      StringBuilder b = new StringBuilder();
      int n = 6 + r.nextInt(10);
      for (int k = 0; k < n; k++) {
        b.append(r.nextInt(3) == 0 ? SPECIAL.charAt(r.nextInt(SPECIAL.length()))
            : PLAIN.charAt(r.nextInt(PLAIN.length())));
      }
      b.setCharAt(r.nextInt(n), SPECIAL.charAt(r.nextInt(SPECIAL.length())));
      return Arguments.of(master, i, b.toString());
    });
  }

  @ParameterizedTest(name = "seed {0} #{1}")
  @MethodSource("passwords")
  void noPasswordInCheckTextJsonOrTheMigrateDiff(long seed, int i, String password) throws Exception {
    for (String form : FORMS) {
      String pw = password;
      if (form.startsWith("redis://PW@")) {
        pw = pw.replace(':', 'x'); // with a ':' it would be user:password, not a lone password
      }
      if (form.contains(",") || form.contains(" db=")) {
        pw = pw.replace(',', 'x'); // the old key=value forms split at commas and blanks
      }
      String conn = form.replace("PW", pw);
      // backticks keep ; and # in the value (go-ini reads them as a comment otherwise)
      Path ini = dir.resolve("app.ini");
      Files.writeString(ini, "[indexer]\nISSUE_INDEXER_QUEUE_TYPE = redis\n"
          + "ISSUE_INDEXER_QUEUE_CONN_STR = `" + conn + "`\n\n[queue.mail]\nTYPE = redis\n"
          + "CONN_STR = `" + conn + "`\n", StandardCharsets.UTF_8);
      for (String[] args : List.of(new String[] {"check", ini.toString()},
          new String[] {"check", "--format", "json", ini.toString()},
          new String[] {"migrate", ini.toString()})) {
        CliTest.Run r = CliTest.run(args);
        // the string is reported (masked), not left out: an empty output would hide nothing
        assertThat(r.out() + r.err()).as("seed %d #%d, %s, %s", seed, i, conn, String.join(" ", args))
            .doesNotContain(pw).contains("****");
      }
    }
  }
}
