package io.queuekit;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.MapperFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectReader;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.SerializerProvider;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.module.SimpleModule;
import com.fasterxml.jackson.databind.ser.std.StdSerializer;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * The default {@link Codec}: JSON through Jackson, written deterministically so that equal items
 * give equal bytes (the identity of a unique queue):
 *
 * <ul>
 *   <li>properties and map keys sorted;
 *   <li>sets written sorted (natural order when the elements are comparable, else by their JSON);
 *   <li>nulls omitted; {@code java.time} types as ISO-8601 text;
 *   <li>unknown properties ignored when reading, so items written by an older version of a class
 *       still decode.
 * </ul>
 *
 * <p><b>Thread-safety:</b> immutable; share freely.
 *
 * @param <T> the item type
 */
public final class JacksonCodec<T> implements Codec<T> {
  private static final ObjectMapper MAPPER = newMapper();

  private final Class<T> type;
  private final ObjectMapper mapper;
  /**
   * The mapper's reader of {@code type}: it resolves the type and finds its deserializer once,
   * where {@code mapper.readValue(bytes, type)} looks both up again for every item decoded.
   */
  private final ObjectReader reader;
  /** The first item encoded decoded again: the type can be read back (see {@link #encode}). */
  private volatile boolean readsBack;

  private JacksonCodec(Class<T> type, ObjectMapper mapper) {
    this.type = Objects.requireNonNull(type, "type");
    this.mapper = mapper;
    this.reader = mapper.readerFor(type);
  }

  /** A deterministic JSON codec for {@code type}. */
  public static <T> JacksonCodec<T> of(Class<T> type) {
    return new JacksonCodec<>(type, MAPPER);
  }

  /** The deterministic mapper this codec uses, configured as the class javadoc says. */
  public static ObjectMapper newMapper() {
    SimpleModule sortedSets = new SimpleModule("queuekit-sorted-sets");
    sortedSets.addSerializer(new SortedSetSerializer());
    return JsonMapper.builder()
        .configure(MapperFeature.SORT_PROPERTIES_ALPHABETICALLY, true)
        .configure(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS, true)
        .configure(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS, false)
        .configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false)
        .serializationInclusion(JsonInclude.Include.NON_NULL)
        .addModule(new JavaTimeModule())
        .addModule(sortedSets)
        .build();
  }

  /**
   * The item as JSON. Until one item has read back, each is also decoded again: a type Jackson
   * can write but not construct (no default constructor and no {@code @JsonCreator}, say) is
   * refused at its first push, with Jackson's reason, instead of being accepted and dead-lettered
   * by every handler call. Once one item of the codec has read back, items are not decoded here
   * (that would double the codec's cost): a value a custom deserializer rejects is then the
   * handler side's to report.
   *
   * @throws QueueException the item cannot be written, or, before any item has, read back
   */
  @Override
  public byte[] encode(T item) {
    byte[] json;
    try {
      json = mapper.writeValueAsBytes(item);
    } catch (JsonProcessingException e) {
      throw new QueueException("cannot encode " + type.getName() + " as JSON: " + e.getOriginalMessage(), e);
    }
    if (!readsBack) {
      try {
        reader.readValue(json);
      } catch (JsonProcessingException e) {
        throw new QueueException("cannot decode " + type.getName() + " from the JSON it encodes "
            + "to, so no handler could receive it (nothing was pushed): " + e.getOriginalMessage()
            + "; give it a constructor Jackson can use (a no-argument one, or @JsonCreator), or "
            + "use a codec of its own", e);
      } catch (IOException e) {
        throw new java.io.UncheckedIOException(e); // reading a byte array does no I/O
      }
      readsBack = true;
    }
    return json;
  }

  @Override
  public T decode(byte[] bytes) throws IOException {
    return reader.readValue(bytes);
  }

  @Override
  public String toString() {
    return "JacksonCodec[" + type.getName() + "]";
  }

  /** Writes any {@link Set} in a fixed order, so a HashSet encodes the same on every run. */
  @SuppressWarnings("rawtypes")
  private static final class SortedSetSerializer extends StdSerializer<Set> {
    private static final long serialVersionUID = 1L;

    SortedSetSerializer() {
      super(Set.class);
    }

    @Override
    @SuppressWarnings("unchecked")
    public void serialize(Set set, JsonGenerator gen, SerializerProvider provider) throws IOException {
      List<Object> elements = new ArrayList<>(set);
      boolean comparable = elements.stream().allMatch(e -> e instanceof Comparable
          && e.getClass() == elements.get(0).getClass());
      if (comparable) {
        elements.sort((a, b) -> ((Comparable<Object>) a).compareTo(b));
      } else {
        List<String> json = new ArrayList<>(elements.size());
        for (Object e : elements) {
          json.add(MAPPER.writeValueAsString(e));
        }
        List<Integer> order = new ArrayList<>();
        for (int i = 0; i < json.size(); i++) order.add(i);
        order.sort(Comparator.comparing(json::get));
        List<Object> sorted = new ArrayList<>(elements.size());
        for (int i : order) sorted.add(elements.get(i));
        elements.clear();
        elements.addAll(sorted);
      }
      gen.writeStartArray(set, elements.size());
      for (Object e : elements) {
        provider.defaultSerializeValue(e, gen);
      }
      gen.writeEndArray();
    }
  }
}
