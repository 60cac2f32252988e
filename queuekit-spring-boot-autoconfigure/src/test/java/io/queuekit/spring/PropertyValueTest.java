package io.queuekit.spring;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class PropertyValueTest {

  @Test
  void aPropertyIsShownWithItsValue() {
    assertThat(PropertyValue.of("queuekit.admin.port", 70000)).isEqualTo("queuekit.admin.port=70000");
    assertThat(PropertyValue.of("queuekit.admin.host", "10.1.2.3")).isEqualTo("queuekit.admin.host=10.1.2.3");
  }

  @Test
  void aSecretsValueIsNeverShown() {
    assertThat(PropertyValue.of("queuekit.admin.token", "hunter2secret")).isEqualTo("queuekit.admin.token=****");
    assertThat(PropertyValue.of("x.db-password", "hunter2secret")).isEqualTo("x.db-password=****");
    assertThat(PropertyValue.of("x.clientSecret", "hunter2secret")).isEqualTo("x.clientSecret=****");
    assertThat(PropertyValue.of("x.api-key", "hunter2secret")).isEqualTo("x.api-key=****");
    assertThat(PropertyValue.of("x.credentials.user", "hunter2secret")).isEqualTo("x.credentials.user=hunter2secret");
    assertThat(PropertyValue.of("x.aws-credentials", "hunter2secret")).isEqualTo("x.aws-credentials=****");
  }

  @Test
  void aConnectionStringsPasswordIsMasked() {
    assertThat(PropertyValue.of("queuekit.queues.mail.conn-str", "redis://:hunter2secret@cache:6379/0"))
        .isEqualTo("queuekit.queues.mail.conn-str=redis://:****@cache:6379/0");
  }
}
