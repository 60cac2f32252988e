package io.queuekit.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.queuekit.QueueConfigException;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class RedisConnStrTest {

  @Test
  void emptyIsGiteasDefault() {
    RedisConnStr c = RedisConnStr.parse("");
    assertThat(c.kind).isEqualTo(RedisConnStr.Kind.STANDALONE);
    assertThat(c.addresses).containsExactly(new RedisConnStr.HostPort("127.0.0.1", 6379));
    assertThat(c.db).isZero();
    assertThat(c.uri).isEqualTo("redis://127.0.0.1:6379/0");
  }

  @Test
  void oldFormsConvertAsGiteaConvertsThem() {
    // Gitea's TestToRedisURI cases
    assertThat(RedisConnStr.toUri("addrs=127.0.0.1:6379 db=0"))
        .isEqualTo("redis://127.0.0.1:6379/0");
    assertThat(RedisConnStr.toUri(
        "network=tcp,addr=127.0.0.1:6379,password=macaron,db=0,pool_size=100,idle_timeout=180"))
        .isEqualTo("redis://:macaron@127.0.0.1:6379/0?idle_timeout=180s&pool_size=100");
    RedisConnStr c = RedisConnStr.parse("network=tcp,addr=10.0.0.5:6380,password=macaron,db=3");
    assertThat(c.password).isEqualTo("macaron");
    assertThat(c.db).isEqualTo(3);
    assertThat(c.addresses).containsExactly(new RedisConnStr.HostPort("10.0.0.5", 6380));
    assertThat(c.masked()).doesNotContain("macaron");
  }

  @Test
  void oldFormWithSeveralAddrsIsACluster() {
    RedisConnStr c = RedisConnStr.parse("addrs=10.0.0.1:7000,10.0.0.2:7001 db=0");
    assertThat(c.kind).isEqualTo(RedisConnStr.Kind.CLUSTER);
    assertThat(c.addresses).hasSize(2);
  }

  @Test
  void oldUnixForm() {
    RedisConnStr c = RedisConnStr.parse("network=unix,addr=/run/redis.sock,db=2");
    assertThat(c.kind).isEqualTo(RedisConnStr.Kind.SOCKET);
    assertThat(c.socketPath).isEqualTo("/run/redis.sock");
  }

  @Test
  void userinfoAndQueryOptions() {
    RedisConnStr c = RedisConnStr.parse("redis://redis:password@myredis/12");
    assertThat(c.username).isEqualTo("redis");
    assertThat(c.password).isEqualTo("password");
    assertThat(c.db).isEqualTo(12);
    // a lone userinfo is the password (Gitea)
    assertThat(RedisConnStr.parse("redis://s3cret@h:1/0").password).isEqualTo("s3cret");
    RedisConnStr q = RedisConnStr.parse("redis://h:7000/1?pool_size=5&read_timeout=250ms"
        + "&DIAL-TIMEOUT=2s&prefix=app1:&client_name=web&Frobnicate=1");
    assertThat(q.readTimeout).isEqualTo(Duration.ofMillis(250));
    assertThat(q.dialTimeout).isEqualTo(Duration.ofSeconds(2));
    assertThat(q.prefix).isEqualTo("app1:");
    assertThat(q.clientName).isEqualTo("web");
    assertThat(q.unknownOptions()).containsExactly("Frobnicate");
    assertThat(q.clientKey()).doesNotContain("prefix");
    RedisConnStr t = RedisConnStr.parse("redis://h/0?timeout=3s");
    assertThat(t.readTimeout).isEqualTo(Duration.ofSeconds(3));
    assertThat(t.dialTimeout).isEqualTo(Duration.ofSeconds(3));
  }

  @Test
  void socketDatabaseFromQuery() {
    RedisConnStr c = RedisConnStr.parse("redis+socket:///var/run/redis.sock?database=12");
    assertThat(c.kind).isEqualTo(RedisConnStr.Kind.SOCKET);
    assertThat(c.socketPath).isEqualTo("/var/run/redis.sock");
    assertThat(c.db).isEqualTo(12);
  }

  @Test
  void tlsSchemesAndSkipVerify() {
    assertThat(RedisConnStr.parse("rediss://myredis/0?skipverify=true").skipVerify).isTrue();
    assertThat(RedisConnStr.parse("rediss://myredis/0?insecureskipverify=true").skipVerify).isTrue();
    assertThat(RedisConnStr.parse("rediss://myredis/0").tls).isTrue();
    assertThat(RedisConnStr.parse("rediss://myredis/0").skipVerify).isFalse();
    assertThat(RedisConnStr.parse("redis+clusters://a:1,b:2").tls).isTrue();
    assertThat(RedisConnStr.parse("rediss+cluster://a:1,b:2").tls).isTrue();
    assertThat(RedisConnStr.parse("redis+sentinels://a:1/0?mastername=m").tls).isTrue();
    assertThat(RedisConnStr.parse("rediss+sentinel://a:1/0?mastername=m").tls).isTrue();
  }

  @Test
  void sentinelOptions() {
    RedisConnStr c = RedisConnStr.parse("redis+sentinel://redis:password@s1,s2:26380/0"
        + "?sentinelusername=suser&sentinelpassword=spass&sentinel_master_id=mymaster");
    assertThat(c.kind).isEqualTo(RedisConnStr.Kind.SENTINEL);
    assertThat(c.sentinelUsername).isEqualTo("suser");
    assertThat(c.sentinelPassword).isEqualTo("spass");
    assertThat(c.masterName).isEqualTo("mymaster");
    assertThat(c.addresses).containsExactly(new RedisConnStr.HostPort("s1", 26379),
        new RedisConnStr.HostPort("s2", 26380));
    assertThat(c.masked()).doesNotContain(":password@").doesNotContain("spass");
    assertThatThrownBy(() -> RedisConnStr.parse("redis+sentinel://s1/0"))
        .isInstanceOf(QueueConfigException.class).hasMessageContaining("mastername");
  }

  @Test
  void clusterWithDatabaseIsAnError() {
    assertThatThrownBy(() -> RedisConnStr.parse("redis+cluster://:pw@a:1,b:2/3"))
        .isInstanceOf(QueueConfigException.class)
        .hasMessageContaining("db 3").hasMessageContaining("Cluster")
        .hasMessageNotContaining("pw@");
    assertThat(RedisConnStr.parse("redis+cluster://a:1,b:2/0").kind)
        .isEqualTo(RedisConnStr.Kind.CLUSTER);
  }

  @Test
  void badStringsNameWhatIsWrong() {
    assertThatThrownBy(() -> RedisConnStr.parse("redis://:hunter2@h:99999/0"))
        .isInstanceOf(QueueConfigException.class).hasMessageContaining("99999")
        .hasMessageNotContaining("hunter2");
    assertThatThrownBy(() -> RedisConnStr.parse("redis+foo://h/0"))
        .hasMessageContaining("unknown scheme redis+foo");
    assertThatThrownBy(() -> RedisConnStr.parse("redis://h/abc"))
        .hasMessageContaining("not a database number");
    assertThatThrownBy(() -> RedisConnStr.parse("redis://h/0?prefix=a{b"))
        .hasMessageContaining("hash tag");
  }

  @Test
  void anotherBackendsSchemeOrAStringOfNoFormIsRefusedNotReadAsTheDefaultServer() {
    // Gitea would read both as the old form with no field: redis://127.0.0.1:6379/0
    assertThatThrownBy(() -> RedisConnStr.parse("leveldb:///var/q"))
        .isInstanceOf(QueueConfigException.class)
        .hasMessageContaining("unknown scheme leveldb");
    assertThatThrownBy(() -> RedisConnStr.parse("redis//:pw@h:6379/0"))
        .isInstanceOf(QueueConfigException.class)
        .hasMessageContaining("neither a URI").hasMessageNotContaining("pw@");
  }

  /**
   * An old form that names no server but holds a field Gitea skips or one nothing reads: Gitea
   * would quietly use 127.0.0.1:6379, though the string meant another server. Refused, naming
   * fields by position or name only (a skipped field may be part of a password), and never
   * offered to the migrator as a conversion.
   */
  @Test
  void anOldFormThatWouldFallBackToTheDefaultServerIsRefused() {
    assertThatThrownBy(() -> RedisConnStr.parse("adrs=10.9.9.9:7000 db=2"))
        .isInstanceOf(QueueConfigException.class)
        .hasMessageContaining("names no server")
        .hasMessageContaining("no part of Gitea or queuekit reads the field adrs")
        .hasMessageContaining("addr=host:port");
    assertThatThrownBy(() -> RedisConnStr.parse("10.9.9.9:7000,password=hunter2"))
        .isInstanceOf(QueueConfigException.class)
        .hasMessageContaining("field 1 of 2 has no '=' (Gitea skips it)")
        .hasMessageNotContaining("hunter2");
    // the tail of a comma-split password is a field with no '=': never printed
    assertThatThrownBy(() -> RedisConnStr.parse("password=hunter,2secret"))
        .hasMessageContaining("field 2 of 2 has no '='")
        .hasMessageNotContaining("2secret").hasMessageNotContaining("hunter");
    // a password holding a blank or comma splits into fields: refused even with a server named,
    // and no part of it named (the comma form split at the blank puts it in a field's name)
    for (String split : List.of("network=tcp,addr=h:6379,password=top secret,db=3",
        "addrs=h:6379 password=top secret db=3", "addrs=h:6379 password=top sec=ret db=3")) {
      assertThatThrownBy(() -> RedisConnStr.parse(split)).as(split)
          .isInstanceOf(QueueConfigException.class)
          .hasMessageNotContaining("secret").hasMessageNotContaining("sec")
          .hasMessageNotContaining("top");
    }
    RedisQueueFactory factory = new RedisQueueFactory();
    assertThat(factory.currentConnStr("network=tcp,addr=h:6379,password=top secret,db=3"))
        .as("no conversion shows the split password").isEmpty();
    assertThat(factory.currentConnStr("adrs=10.9.9.9:7000 db=2")).isEmpty();
    assertThat(factory.currentConnStr("10.9.9.9:7000,password=hunter2")).isEmpty();
  }

  @Test
  void anOldFormNamingItsServerOrNothingOddIsRead() {
    // a server named: an unknown field is an ignored option, as in a URI
    assertThat(RedisConnStr.parse("addrs=10.9.9.9:7000 db=2 foo=bar").unknownOptions())
        .containsExactly("foo");
    // no server named and nothing skipped or unknown: the default server is what it asks for
    RedisConnStr local = RedisConnStr.parse("db=2 password=pw pool_size=10");
    assertThat(local.addresses).containsExactly(new RedisConnStr.HostPort("127.0.0.1", 6379));
    assertThat(local.db).isEqualTo(2);
    assertThat(new RedisQueueFactory().currentConnStr("addrs=10.9.9.9:7000 db=2"))
        .contains("redis://10.9.9.9:7000/2");
  }
}
