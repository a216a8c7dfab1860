package com.mimecastsentinel.checkpoint;

import java.util.ArrayList;
import java.util.List;

import com.mimecastsentinel.run.BatchScope;
import com.mimecastsentinel.transform.RowBatch;
import org.apache.camel.Exchange;
import org.apache.camel.Processor;
import org.apache.camel.spi.IdempotentRepository;
import org.apache.camel.support.SynchronizationAdapter;

/**
 * The idempotent step of a log type's route ({@code process: {ref: dropDelivered}}, before {@code sentinel:}): the
 * rows of the batch (a {@code RowBatch}) already in the repository are dropped. It is Camel's idempotent consumer
 * done per row of a batch, over an {@link IdempotentRepository} ({@code repository}, the checkpoints by default):
 * <ul>
 * <li>where the batch remembers ids, each row's key is {@code add}ed, and a row whose key was there is dropped;
 * where it does not (a file read by line position), a row is dropped when the repository {@code contains} its key;</li>
 * <li>when the exchange completes, the keys it added are {@code confirm}ed; when it fails they are {@code remove}d,
 * so that the batch, sent again, is not taken for a duplicate of itself.</li>
 * </ul>
 * A key is {@code <logType>:<mimecastEventId>:<event time, epoch seconds>}: the repository keeps an id while a window
 * read again may still reach its event time. Outside a {@code mimecast} route's batch it does nothing; neither does it
 * for a batch that does not remember ids when the checkpoints hold none of its log type.
 */
public final class DropDelivered implements Processor {
    public static final String BEAN = "dropDelivered";

    private IdempotentRepository repository;

    public DropDelivered() {
    }

    public DropDelivered(IdempotentRepository repository) {
        this.repository = repository;
    }

    /** The key of a row: the log type, its event id and its event time. */
    public static String key(String logType, String id, long eventMillis) {
        return logType + ":" + id + ":" + Math.floorDiv(eventMillis, 1000);
    }

    @Override
    public void process(Exchange exchange) {
        RowBatch rows = exchange.getMessage().getBody(RowBatch.class);
        BatchScope batch = BatchScope.of(exchange);
        if (rows == null || rows.isEmpty() || batch == null) {
            return;
        }
        if (!batch.rememberIds && repository instanceof CheckpointRepository checkpoints
                && !checkpoints.holdsIds(batch.logType)) {
            return; // nothing to look up: no key of the batch can be there (a key per row showed in profiles)
        }
        List<String> added = new ArrayList<>();
        int dropped = rows.retain(i -> {
            String key = key(batch.logType, rows.id(i), rows.eventMillis(i));
            if (!batch.rememberIds) {
                return !repository.contains(exchange, key);
            }
            if (repository.add(exchange, key)) {
                added.add(key);
                return true;
            }
            return false;
        });
        batch.duplicates.add(dropped);
        if (!added.isEmpty()) {
            exchange.getExchangeExtension().addOnCompletion(new SynchronizationAdapter() {
                @Override
                public void onComplete(Exchange completed) {
                    added.forEach(key -> repository.confirm(completed, key));
                }

                @Override
                public void onFailure(Exchange failed) {
                    added.forEach(key -> repository.remove(failed, key));
                }
            });
        }
    }

    /** The repository the rows' keys go to. */
    public void setRepository(IdempotentRepository repository) {
        this.repository = repository;
    }

    public IdempotentRepository getRepository() {
        return repository;
    }
}
