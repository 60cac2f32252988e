package io.queuekit.spring;

import io.queuekit.QueueConfig;
import io.queuekit.QueueManager;
import io.queuekit.QueueSpec;
import io.queuekit.ini.IniQueueConfig;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.config.ConfigurableListableBeanFactory;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.context.properties.source.ConfigurationPropertySources;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Conditional;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.env.Environment;

/**
 * Auto-configuration for queuekit in a Spring Boot application: a {@link QueueManager} from
 * {@link QueuekitProperties} (backing off when the application defines its own), queues for
 * {@link QueueSpec} beans and {@link QueueHandler} methods, a lifecycle that closes the manager
 * gracefully, an Actuator health contributor named {@code queuekit} when Actuator's health
 * support is on the class path, a Micrometer binder when {@code queue-micrometer} is present, and the admin page on its own port when {@code queue-admin} is
 * present and {@code queuekit.admin.enabled} binds to true ({@link AdminEnabled}).
 */
@AutoConfiguration
@EnableConfigurationProperties(QueuekitProperties.class)
public class QueuekitAutoConfiguration {

  private static final Logger LOG = LoggerFactory.getLogger(QueuekitAutoConfiguration.class);

  @Bean
  static QueueHandlerRegistrar queuekitQueueHandlerRegistrar() {
    return new QueueHandlerRegistrar();
  }

  @Bean(destroyMethod = "close")
  @ConditionalOnMissingBean
  QueueManager queueManager(QueuekitProperties properties, Environment environment) {
    QueuekitPropertiesCheck.unknownKeys(ConfigurationPropertySources.get(environment)).forEach(LOG::warn);
    AdminKeys.unknown(ConfigurationPropertySources.get(environment)).forEach(LOG::warn);
    QueueConfig base = properties.getIni() == null ? QueueConfig.defaults() : IniQueueConfig.load(properties.getIni());
    PropertiesQueueConfig config = new PropertiesQueueConfig(base, properties, Binder.get(environment));
    config.validate();
    return QueueManager.builder().dataPath(properties.getDataPath()).config(config).build();
  }

  @Bean
  QueueManagerLifecycle queuekitLifecycle(QueueManager manager, ObjectProvider<QueueSpec<?>> specs,
      ConfigurableListableBeanFactory beanFactory, QueuekitProperties properties, Environment environment) {
    List<QueueSpec<?>> all = specs.orderedStream().toList();
    return new QueueManagerLifecycle(manager, all, beanFactory, properties.getQueues().keySet(),
        ConfigurationPropertySources.get(environment));
  }

  /** A MeterBinder bean: Spring Boot binds it to the application's registries (Actuator metrics). */
  @Configuration(proxyBeanMethods = false)
  @ConditionalOnClass(name = "io.queuekit.micrometer.QueuekitMetrics")
  static class Metrics {
    @Bean
    @ConditionalOnMissingBean
    io.queuekit.micrometer.QueuekitMetrics queuekitMetrics(QueueManager manager) {
      return new io.queuekit.micrometer.QueuekitMetrics(manager);
    }
  }

  @Configuration(proxyBeanMethods = false)
  @ConditionalOnClass(name = "io.queuekit.admin.AdminServer")
  @Conditional(AdminEnabled.class)
  static class Admin {
    @Bean(destroyMethod = "close")
    @ConditionalOnMissingBean
    io.queuekit.admin.AdminServer queuekitAdminServer(QueueManager manager, QueuekitProperties properties) {
      return AdminStart.start(manager, properties.getAdmin(), properties.getHealthMaxWaitingAge());
    }
  }

  @Configuration(proxyBeanMethods = false)
  @ConditionalOnClass(name = "org.springframework.boot.health.contributor.HealthIndicator")
  static class Health {
    @Bean
    @ConditionalOnMissingBean(name = "queuekitHealthIndicator")
    QueuekitHealthIndicator queuekitHealthIndicator(QueueManager manager, QueuekitProperties properties) {
      return new QueuekitHealthIndicator(manager, properties.getHealthMaxWaitingAge());
    }
  }
}
