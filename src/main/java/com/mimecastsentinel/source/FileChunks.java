package com.mimecastsentinel.source;

import java.io.Closeable;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.util.Arrays;
import java.util.Iterator;
import java.util.NoSuchElementException;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.BiConsumer;
import java.util.function.BooleanSupplier;
import java.util.function.IntSupplier;
import java.util.zip.GZIPInputStream;
import java.util.zip.ZipException;

import com.mimecastsentinel.transform.Lines;
import org.apache.camel.CamelContext;

/**
 * The chunks of lines of one gzip NDJSON file, for a streaming split: the file is read from its stream (the HTTP
 * answer) on a reader thread, one chunk ahead of the route, so that reading and inflating the next chunk overlaps
 * sending this one; one chunk is held ahead at most, so a file of any size streams through in constant memory.
 * Lines up to {@code delivered} (an earlier run's) are skipped. A file damaged part-way (a truncated or corrupt gzip)
 * ends after the lines before the damage, reported to {@code damaged}; a stream that breaks off (the network) fails
 * the split, so the next run resumes after the last delivered line.
 */
final class FileChunks implements Iterator<Lines>, Closeable {
    private static final Object END = new Object();

    private final SourceRun run;
    private final InputStream body;
    private final long delivered;
    private final int targetBytes;
    private final IntSupplier lineOverhead;
    private final BooleanSupplier stopping;
    private final BiConsumer<Long, String> damaged;
    private final BlockingQueue<Object> ahead = new ArrayBlockingQueue<>(1);
    private final Future<?> reader;
    private volatile boolean closed;
    private Object next;

    /**
     * @param targetBytes  what a chunk's rows come to (its lines' bytes, each with {@code lineOverhead} more)
     */
    FileChunks(CamelContext camel, SourceRun run, InputStream body, long delivered, int targetBytes,
            IntSupplier lineOverhead, BooleanSupplier stopping, BiConsumer<Long, String> damaged) {
        this.run = run;
        this.body = body;
        this.delivered = delivered;
        this.targetBytes = targetBytes;
        this.lineOverhead = lineOverhead;
        this.stopping = stopping;
        this.damaged = damaged;
        this.reader = executor(camel).submit(this::read);
    }

    private static synchronized ExecutorService executor(CamelContext camel) {
        ExecutorService pool = camel.getRegistry().lookupByNameAndType("mimecastFileReaders", ExecutorService.class);
        if (pool == null) {
            pool = camel.getExecutorServiceManager().newCachedThreadPool(FileChunks.class, "file-reader");
            camel.getRegistry().bind("mimecastFileReaders", ExecutorService.class, pool);
        }
        return pool;
    }

    @Override
    public boolean hasNext() {
        if (next == null) {
            try {
                next = ahead.take();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while reading a file", e);
            }
        }
        if (next instanceof RuntimeException failure) {
            throw failure;
        }
        return next != END;
    }

    @Override
    public Lines next() {
        if (!hasNext()) {
            throw new NoSuchElementException();
        }
        Lines lines = (Lines) next;
        next = null;
        run.chunkBytes = lines.bytes();
        run.chunkLines = lines.size();
        return lines;
    }

    @Override
    public void close() {
        closed = true;
        ahead.clear(); // lets a reader waiting to hand over a chunk see that it is closed
        reader.cancel(true);
        try {
            body.close();
        } catch (IOException ignored) {
            // the connection is released either way
        }
    }

    /** The reader thread: cuts the inflated stream into chunks and hands them over one at a time. */
    private void read() {
        Object last = END;
        try (InputStream in = new GZIPInputStream(body, 1 << 16)) {
            readLines(in);
        } catch (ZipException | EOFException damage) {
            // damaged part-way: what came before it is delivered; the file itself goes to the dead letters
            flush();
            damaged.accept(number, damage.toString());
        } catch (IOException broken) {
            last = new BatchSource.FileBrokeOff(run.logType + ": the download of " + run.fileKey + " broke off after "
                    + "line " + number + " (" + broken + ")", broken);
        } catch (RuntimeException failure) {
            last = failure;
        }
        if (last == END) {
            flush();
        }
        handOver(last);
    }

    private byte[] buffer = new byte[1 << 16];
    private int filled;
    private long number;
    // the chunk being filled
    private byte[] chunk = new byte[0];
    private int chunkSize;
    private int[] starts = new int[1024];
    private int[] lengths = new int[1024];
    private int count;
    private long firstLine;
    private long chunkCost;
    private int overhead;

    private void readLines(InputStream in) throws IOException {
        int lineStart = 0;
        int scanned = 0;
        while (!closed) {
            for (int i = scanned; i < filled; i++) {
                if (buffer[i] == '\n') {
                    line(lineStart, i - lineStart);
                    lineStart = i + 1;
                }
            }
            // no whole line left: keep the partial one at the start of the buffer and read on
            System.arraycopy(buffer, lineStart, buffer, 0, filled - lineStart);
            filled -= lineStart;
            scanned = filled;
            lineStart = 0;
            if (filled == buffer.length) {
                buffer = Arrays.copyOf(buffer, buffer.length * 2); // a line longer than that
            }
            int read = in.read(buffer, filled, buffer.length - filled);
            if (read < 0) {
                if (filled > 0) {
                    line(0, filled); // no newline at the end
                }
                return;
            }
            filled += read;
            if (stopping.getAsBoolean() && count == 0 && number > delivered) {
                run.stopped = true; // shutting down between chunks: the rest of the file is read by the next run
                return;
            }
        }
    }

    private void line(int offset, int length) {
        if (++number <= delivered) {
            return; // delivered by an earlier run
        }
        if (count == 0) {
            firstLine = number;
            chunkSize = 0;
            chunkCost = 0;
            overhead = lineOverhead.getAsInt();
            if (chunk.length < targetBytes + length) {
                chunk = new byte[Math.max(targetBytes + 4096, length)];
            }
        }
        if (chunkSize + length > chunk.length) {
            chunk = Arrays.copyOf(chunk, Math.max(chunk.length * 2, chunkSize + length));
        }
        System.arraycopy(buffer, offset, chunk, chunkSize, length);
        if (count == starts.length) {
            starts = Arrays.copyOf(starts, count * 2);
            lengths = Arrays.copyOf(lengths, count * 2);
        }
        starts[count] = chunkSize;
        lengths[count] = length;
        chunkSize += length;
        chunkCost += length + overhead;
        count++;
        if (length > 0) {
            run.fetched.increment();
        }
        if (chunkCost + 512 + overhead >= targetBytes) {
            flush(); // the next line (of about 512 bytes) would not fit
        }
    }

    /** Hands the chunk being filled over to the route. */
    private void flush() {
        if (count == 0) {
            return;
        }
        Lines lines = new Lines(run.fileKey, chunk, Arrays.copyOf(starts, count), Arrays.copyOf(lengths, count), count,
                firstLine);
        chunk = new byte[0]; // the chunk now belongs to the route
        count = 0;
        handOver(lines);
    }

    private void handOver(Object item) {
        try {
            while (!closed && !ahead.offer(item, 100, TimeUnit.MILLISECONDS)) {
                // the route is still on the chunk before
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
