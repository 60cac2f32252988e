package io.queuekit.spring;

import io.queuekit.Delivered;
import io.queuekit.DeliveryHandler;
import io.queuekit.Handler;
import io.queuekit.QueueConfigException;
import io.queuekit.QueueManager;
import io.queuekit.QueueSpec;
import io.queuekit.WorkerPoolQueue;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.springframework.beans.BeansException;
import org.springframework.beans.factory.BeanFactory;
import org.springframework.beans.factory.BeanFactoryAware;
import org.springframework.beans.factory.config.BeanDefinition;
import org.springframework.beans.factory.support.BeanDefinitionRegistry;
import org.springframework.beans.factory.support.BeanDefinitionRegistryPostProcessor;
import org.springframework.beans.factory.support.RootBeanDefinition;
import org.springframework.core.MethodIntrospector;
import org.springframework.core.ResolvableType;
import org.springframework.core.annotation.AnnotatedElementUtils;

/**
 * Finds {@link QueueHandler} methods on bean classes before any bean is made, and registers one
 * {@code WorkerPoolQueue<T>} bean per queue, named after it. Registering definitions (rather
 * than creating queues from a post-processor after beans exist) is what lets other beans inject
 * a queue by name in their constructors. The handler bean is looked up at the first batch, so a
 * bean may push into the queue it handles.
 *
 * <p><b>Thread-safety:</b> used by the container during start-up only.
 */
final class QueueHandlerRegistrar implements BeanDefinitionRegistryPostProcessor, BeanFactoryAware {

  private BeanFactory beanFactory;

  @Override
  public void setBeanFactory(BeanFactory beanFactory) {
    this.beanFactory = beanFactory;
  }

  @Override
  public void postProcessBeanDefinitionRegistry(BeanDefinitionRegistry registry) throws BeansException {
    Map<String, String> declaredBy = new HashMap<>();
    for (String beanName : registry.getBeanDefinitionNames()) {
      Class<?> type = beanClass(registry.getBeanDefinition(beanName));
      if (type == null) {
        continue;
      }
      Map<Method, QueueHandler> methods = MethodIntrospector.selectMethods(type,
          (MethodIntrospector.MetadataLookup<QueueHandler>) m ->
              AnnotatedElementUtils.findMergedAnnotation(m, QueueHandler.class));
      for (Map.Entry<Method, QueueHandler> e : methods.entrySet()) {
        Method method = e.getKey();
        String queue = e.getValue().value();
        String where = type.getName() + "." + method.getName();
        String earlier = declaredBy.putIfAbsent(queue, where);
        if (earlier != null) {
          throw new QueueConfigException("queue \"" + queue + "\" has two @QueueHandler methods: "
              + earlier + " and " + where);
        }
        if (registry.containsBeanDefinition(queue)) {
          throw new QueueConfigException("@QueueHandler(\"" + queue + "\") on " + where
              + ": a bean named \"" + queue + "\" already exists; the queue's bean takes its name");
        }
        registry.registerBeanDefinition(queue, queueDefinition(beanName, method, e.getValue(), where));
      }
    }
  }

  private RootBeanDefinition queueDefinition(String beanName, Method method, QueueHandler annotation, String where) {
    Class<?> itemType = itemType(method, where);
    RootBeanDefinition def = new RootBeanDefinition(WorkerPoolQueue.class);
    def.setTargetType(ResolvableType.forClassWithGenerics(WorkerPoolQueue.class, itemType));
    // the manager closes its queues (gracefully, at lifecycle stop); the container must not
    def.setDestroyMethodName(null);
    def.setInstanceSupplier(() -> create(annotation, itemType, beanName, method));
    return def;
  }

  @SuppressWarnings({"unchecked", "rawtypes"})
  private WorkerPoolQueue<?> create(QueueHandler annotation, Class<?> itemType, String beanName, Method method) {
    QueueManager manager = beanFactory.getBean(QueueManager.class);
    QueueSpec spec;
    if (takesDeliveries(method)) {
      DeliveryHandler handler = batch -> invoke(beanFactory.getBean(beanName), method, batch);
      spec = annotation.unique()
          ? QueueSpec.uniqueDelivered(annotation.value(), itemType, handler)
          : QueueSpec.simpleDelivered(annotation.value(), itemType, handler);
    } else {
      Handler handler = batch -> invoke(beanFactory.getBean(beanName), method, batch);
      spec = annotation.unique()
          ? QueueSpec.unique(annotation.value(), itemType, handler)
          : QueueSpec.simple(annotation.value(), itemType, handler);
    }
    return manager.create(spec);
  }

  private static Collection<?> invoke(Object bean, Method method, List<?> batch) throws Exception {
    try {
      Object unhandled = method.invoke(bean, batch);
      return method.getReturnType() == void.class ? List.of() : (Collection<?>) unhandled;
    } catch (InvocationTargetException e) {
      // the handler's own exception, so the pool logs and retries what the user threw
      Throwable cause = e.getCause();
      if (cause instanceof Exception ex) {
        throw ex;
      }
      throw (Error) cause;
    }
  }

  /** True if the method takes {@code List<Delivered<T>>}: the {@link DeliveryHandler} form. */
  private static boolean takesDeliveries(Method method) {
    return ResolvableType.forMethodParameter(method, 0).getGeneric(0).resolve() == Delivered.class;
  }

  /**
   * {@code T} of the method's one {@code List<T>} or {@code List<Delivered<T>>} parameter; anything
   * else is refused with the method named.
   */
  private static Class<?> itemType(Method method, String where) {
    boolean returnsOk = method.getReturnType() == void.class || Collection.class.isAssignableFrom(method.getReturnType());
    if (method.getParameterCount() != 1 || method.getParameterTypes()[0] != List.class || !returnsOk
        || Modifier.isStatic(method.getModifiers())) {
      throw new QueueConfigException("@QueueHandler method " + where + " must be an instance method "
          + "taking List<T> or List<Delivered<T>> and returning void or Collection<?> (the items not "
          + "handled)");
    }
    ResolvableType element = ResolvableType.forMethodParameter(method, 0).getGeneric(0);
    Class<?> t = takesDeliveries(method) ? element.getGeneric(0).resolve() : element.resolve();
    if (t == null) {
      throw new QueueConfigException("@QueueHandler method " + where
          + ": the item type of its List parameter (or of Delivered in it) must be a concrete class");
    }
    method.setAccessible(true);
    return t;
  }

  private static Class<?> beanClass(BeanDefinition def) {
    ResolvableType t = def.getResolvableType();
    Class<?> c = t.resolve();
    if (c == null && def.getBeanClassName() != null) {
      try {
        c = Class.forName(def.getBeanClassName(), false, org.springframework.util.ClassUtils.getDefaultClassLoader());
      } catch (ClassNotFoundException e) {
        return null; // a definition whose class is not loadable here has no handler of ours
      }
    }
    return c;
  }
}
