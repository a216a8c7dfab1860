package com.mimecastsentinel.transform;

import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;

import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.TypeConversionException;
import org.apache.camel.support.TypeConverterSupport;

/**
 * A {@link RowBatch} as text for the endpoints a user adds to a log type's route (a file, Kafka, HTTP): NDJSON, one
 * row a line, as bytes, a string or a stream.
 */
public final class RowBatchConverters {
    private RowBatchConverters() {
    }

    /** Registers the conversions in the context's type converter registry. */
    public static void register(CamelContext context) {
        var registry = context.getTypeConverterRegistry();
        registry.addTypeConverter(byte[].class, RowBatch.class, new To<>(rows -> rows.toNdjson()));
        registry.addTypeConverter(String.class, RowBatch.class,
                new To<>(rows -> new String(rows.toNdjson(), StandardCharsets.UTF_8)));
        registry.addTypeConverter(InputStream.class, RowBatch.class,
                new To<>(rows -> new ByteArrayInputStream(rows.toNdjson())));
    }

    private static final class To<T> extends TypeConverterSupport {
        private final java.util.function.Function<RowBatch, T> convert;

        To(java.util.function.Function<RowBatch, T> convert) {
            this.convert = convert;
        }

        @Override
        public <R> R convertTo(Class<R> type, Exchange exchange, Object value) throws TypeConversionException {
            return value instanceof RowBatch rows ? type.cast(convert.apply(rows)) : null;
        }
    }
}
