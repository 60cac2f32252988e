package io.queuekit.redis;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Gitea's {@code nosql.ToRedisURI}, with Gitea's own test vectors first. */
class GiteaRedisUriTest {

  @ParameterizedTest(name = "{0}")
  @CsvSource(delimiter = '|', value = {
      // Gitea's TestToRedisURI
      "addrs=127.0.0.1:6379 db=0 | redis://127.0.0.1:6379/0",
      "network=tcp,addr=127.0.0.1:6379,password=macaron,db=0,pool_size=100,idle_timeout=180"
          + " | redis://:macaron@127.0.0.1:6379/0?idle_timeout=180s&pool_size=100",
      // several addresses over tcp: a cluster
      "addrs=10.0.0.1:6379,10.0.0.2:6379 db=0 | redis+cluster://10.0.0.1:6379,10.0.0.2:6379/0",
      // Gitea's quirk: one field is split at commas, so the second address is dropped
      "addrs=10.0.0.1:6379,10.0.0.2:6379 | redis://10.0.0.1:6379/0",
      // unix socket: the address becomes the path, the db a query option (db=3, not Gitea's %2F3)
      "network=unix,addr=/run/redis.sock,db=3 | redis+socket:///run/redis.sock?db=3",
      // user info escaped as Go escapes it
      "addrs=h:6379 username=u password=p@s:w/d+x | redis://u:p%40s%3Aw%2Fd+x@h:6379/0",
      "password=p username=u addrs=h:1 | redis://u:p@h:1/0",
      "username=u addrs=h:1 | redis://u@h:1/0",
      // option names are case-insensitive; other options keep their spelling, sorted, encoded
      "ADDRS=h:1 DB=2 Zeta=1 alpha=a&b idle_timeout=1m | redis://h:1/2?Zeta=1&alpha=a%26b&idle_timeout=1m",
      // fields without '=' are skipped
      "addrs=h:1 junk db=4 | redis://h:1/4",
  })
  void convertsTheOldFormAsGiteaDoes(String old, String uri) {
    assertThat(GiteaRedisUri.toUri(old)).isEqualTo(uri);
  }

  @ParameterizedTest
  @CsvSource({"redis://127.0.0.1:6379/0", "rediss+cluster://a:1,b:2/0", "REDIS://h/1",
      "redis+socket:///tmp/r.sock?db=1"})
  void urisPassThroughUnchanged(String uri) {
    assertThat(GiteaRedisUri.toUri(uri)).isSameAs(uri);
  }

  @Test
  void recognisesTheOldForm() {
    assertThat(GiteaRedisUri.isLegacy("addrs=127.0.0.1:6379 db=0")).isTrue();
    assertThat(GiteaRedisUri.isLegacy("redis://h/0?db=1")).isFalse();
    assertThat(GiteaRedisUri.isLegacy("/var/lib/queues")).isFalse();
    assertThat(GiteaRedisUri.isLegacy("  ")).isFalse();
  }

  @Test
  void readsTheDatabase() {
    assertThat(GiteaRedisUri.database("redis://h:1/3")).contains(3);
    assertThat(GiteaRedisUri.database("redis://h:1")).contains(0);
    assertThat(GiteaRedisUri.database("redis+cluster://a:1,b:2/0?db=2")).contains(2);
    assertThat(GiteaRedisUri.database("redis://u:p@h:1/?database=5")).contains(5);
    assertThat(GiteaRedisUri.database("redis://h:1/x")).isEmpty();
  }

  @Test
  void schemeIsLowerCased() {
    assertThat(GiteaRedisUri.scheme("Redis+Cluster://a")).contains("redis+cluster");
    assertThat(GiteaRedisUri.scheme("addrs=h:1")).isEmpty();
  }
}
