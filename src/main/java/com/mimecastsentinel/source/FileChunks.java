package com.mimecastsentinel.source;

import java.io.Closeable;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.IntSupplier;
import java.util.zip.GZIPInputStream;
import java.util.zip.ZipException;

import com.mimecastsentinel.deadletter.DeadLetters;
import com.mimecastsentinel.transform.Lines;
import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.ProducerTemplate;
import org.apache.camel.spi.UnitOfWork;
import org.apache.camel.support.DefaultExchange;
import org.apache.camel.support.PluginHelper;

/**
 * The lines of a listing page's gzip NDJSON files in chunks, as the consumer asks for them: on a reader thread, each
 * file is downloaded in turn through {@value #DOWNLOAD_ROUTE} and its stream read ({@link #read}), its lines cut into
 * chunks of about one request's worth of rows, across file ends, one chunk ahead of the route; so reading and
 * inflating overlaps mapping and sending, and files of any size stream through in constant memory.
 * Lines an earlier run delivered are skipped. A file damaged part-way (a truncated or corrupt gzip), or inflating
 * beyond the limits (a gzip bomb), ends after the lines before, reported to {@code damaged} with what was read of it
 * (its first bytes, size and digest: never the whole file in memory); a line longer than the line limit is read
 * past and reported to {@code lineTooLong}; a stream that breaks off (the network) fails the split, so the next run
 * resumes after the last delivered line. A file URL that expired ends the chunks: the page is listed again. An Error
 * on the reader thread fails the split too, and a reader that ended without a word is noticed: the route never
 * waits for a chunk that cannot come.
 */
final class FileChunks implements Iterator<Lines>, Closeable {
    /** The route that downloads one file, its answer a stream: routes/mimecast-api.yaml. */
    static final String DOWNLOAD_ROUTE = "direct:mimecast-download";
    private static final Object END = new Object();
    /** A chunk's lines are kept in buffers of this size (no humongous object for the garbage collector). */
    private static final int SEGMENT = 192 * 1024;

    /** What the reader needs of its source. */
    interface Source {
        /** A file URL expired: the page is listed again. */
        void expired(SourceRun run);

        /** A file cannot be read to its end (damaged, too big): what was read of it goes to the dead letters. */
        void damaged(SourceRun run, String url, String reason, StreamCapture file);

        /** A line longer than MIMECAST_MAX_LINE_BYTES: its first bytes, size and digest go to the dead letters. */
        void lineTooLong(SourceRun run, String url, long line, String reason, StreamCapture content);
    }

    /** What a file and its lines are read within: a line's bytes, a file's inflated bytes and its ratio. */
    record Limits(int maxLineBytes, long maxFileBytes, int maxRatio) {
        /** The ratio is judged once this much is inflated: a small file may compress very well. */
        static final long RATIO_FLOOR = 16L << 20;
    }

    private final CamelContext camel;
    private final SourceRun run;
    private final List<String> urls;
    private final Source source;
    private final int targetBytes;
    private final IntSupplier lineOverhead;
    private final BooleanSupplier stopping;
    private final Limits limits;
    private final BlockingQueue<Object> ahead = new ArrayBlockingQueue<>(1);
    private final Future<?> reader;
    private volatile boolean closed;
    /** Shutting down: reading stops after the chunk handed over last. */
    private volatile boolean stop;
    private Object next;

    FileChunks(CamelContext camel, SourceRun run, List<String> urls, Source source, int targetBytes,
            IntSupplier lineOverhead, BooleanSupplier stopping, Limits limits) {
        this.camel = camel;
        this.run = run;
        this.urls = urls;
        this.source = source;
        this.targetBytes = targetBytes;
        this.lineOverhead = lineOverhead;
        this.stopping = stopping;
        this.limits = limits;
        this.buffer = new byte[Math.min(1 << 16, limits.maxLineBytes())];
        this.reader = executor(camel).submit(this::readFiles);
    }

    private static synchronized ExecutorService executor(CamelContext camel) {
        ExecutorService pool = camel.getRegistry().lookupByNameAndType("mimecastFileReaders", ExecutorService.class);
        if (pool == null) {
            pool = camel.getExecutorServiceManager().newCachedThreadPool(FileChunks.class, "file-reader");
            camel.getRegistry().bind("mimecastFileReaders", ExecutorService.class, pool);
        }
        return pool;
    }

    // ---- the route's side ----

    @Override
    public boolean hasNext() {
        try {
            while (next == null) {
                next = ahead.poll(1, TimeUnit.SECONDS);
                if (next == null && reader.isDone()) {
                    next = ahead.poll(); // handed over as it ended
                    if (next == null) {
                        throw new IllegalStateException(run.logType + ": the file reader ended without handing over "
                                + "its last chunk or its failure");
                    }
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while reading a file", e);
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
        return lines;
    }

    @Override
    public void close() {
        closed = true;
        ahead.clear(); // lets a reader waiting to hand over a chunk see that it is closed
        reader.cancel(true);
    }

    // ---- the reader thread ----

    /** Reads the files in turn, each through the download route; then hands over what is left. */
    private void readFiles() {
        Object last = END;
        try (ProducerTemplate producer = camel.createProducerTemplate()) {
            for (String url : urls) {
                if (closed || stopping.getAsBoolean()) {
                    run.stopped = !closed; // shutting down: the files left are read by the next run
                    break;
                }
                fileKey = FileUrls.key(url);
                this.url = url;
                long delivered = run.resume != null && fileKey.equals(run.resume.file) ? run.resume.lines : 0;
                startFile(delivered);
                if (!download(producer, url)) {
                    source.expired(run); // the files left are listed again
                    break;
                }
                if (stop) {
                    run.stopped = true; // shutting down inside the file: its delivered lines are its position
                    break;
                }
                if (damage != null) {
                    source.damaged(run, url, damage, capture);
                }
                ended.add(fileKey);
                run.files++;
            }
            flush(true);
        } catch (RuntimeException failure) {
            last = failure;
        } catch (IOException closedMeanwhile) {
            last = END;
        } catch (Error error) {
            last = failed(error); // the run ends with it instead of waiting for a chunk forever
        }
        handOver(last);
    }

    /**
     * Downloads one file through {@value #DOWNLOAD_ROUTE} and reads its stream to its end: false when its URL
     * expired. The download's exchange has a unit of work of its own, done once the stream was read: camel-http
     * closes the answer when the exchange completes, so the stream stays open while the lines are read, and the
     * connection goes back to the pool after.
     */
    private boolean download(ProducerTemplate producer, String url) throws IOException {
        Exchange exchange = new DefaultExchange(camel);
        exchange.setVariable(BatchSource.FILE_URL, url);
        exchange.setVariable(MimecastCalls.LOG_TYPE, run.logType);
        UnitOfWork unitOfWork = PluginHelper.getUnitOfWorkFactory(camel).createUnitOfWork(exchange);
        exchange.getExchangeExtension().setUnitOfWork(unitOfWork);
        try {
            producer.send(DOWNLOAD_ROUTE, exchange);
            if (exchange.getException() != null) {
                throw broken(exchange.getException());
            }
            if (Boolean.TRUE.equals(exchange.getVariable(MimecastAnswer.FILE_EXPIRED, Boolean.class))) {
                return false;
            }
            InputStream body = exchange.getMessage().getBody(InputStream.class);
            if (body != null) {
                read(body);
            }
            return true;
        } finally {
            unitOfWork.done(exchange);
        }
    }

    /** An Error while reading (an OutOfMemoryError): what the reader holds is let go, the run fails naming the file. */
    private RuntimeException failed(Error error) {
        segments.clear();
        segment = new byte[0];
        buffer = new byte[1 << 10];
        longLine = null;
        return new IllegalStateException(run.logType + ": reading " + fileKey + " failed: " + error, error);
    }

    /** A file route's failure: a stream that broke off says so; anything else as it is. */
    private RuntimeException broken(Exception failure) {
        for (Throwable cause = failure; cause != null; cause = cause.getCause()) {
            if (cause instanceof Error error) {
                return failed(error);
            }
        }
        for (Throwable cause = failure; cause != null; cause = cause.getCause()) {
            if (cause instanceof IOException io) {
                return new BatchSource.FileBrokeOff(run.logType + ": the download of " + fileKey + " broke off after "
                        + "line " + number + " (" + io + ")", io);
            }
        }
        return failure instanceof RuntimeException runtime ? runtime : new IllegalStateException(failure);
    }

    // the file being read
    private String fileKey;
    private long delivered;
    private long number;
    private String damage;
    private StreamCapture capture;
    private String url;
    /** The line being read past the line limit: its first bytes, size and digest. */
    private StreamCapture longLine;
    private byte[] buffer;
    // the chunk being filled: its files, lines, buffers
    private final List<String> files = new ArrayList<>();
    private final List<String> ended = new ArrayList<>();
    private final List<byte[]> segments = new ArrayList<>();
    private byte[] segment = new byte[0];
    private int segmentSize;
    private int[] fileOf = new int[1024];
    private long[] numbers = new long[1024];
    private int[] bufferOf = new int[1024];
    private int[] starts = new int[1024];
    private int[] lengths = new int[1024];
    private int count;
    private long cost;
    private int overhead = -1;

    private void startFile(long alreadyDelivered) {
        if (buffer.length > 1 << 16) {
            buffer = new byte[1 << 16]; // a long line of the file before grew it: not kept for the files after
        }
        delivered = alreadyDelivered;
        number = 0;
        damage = null;
    }

    /**
     * Reads a downloaded gzip stream to its end, cutting its lines into the chunks. A damaged gzip, or one that
     * inflates beyond the limits, ends the file quietly after the lines before (reported once it was read, with what
     * was read of it); a line longer than the limit is reported and passed over; a stream that breaks off throws.
     */
    void read(InputStream body) throws IOException {
        capture = new StreamCapture(body, DeadLetters.MAX_CONTENT);
        longLine = null;
        InputStream in = null;
        try {
            in = new GZIPInputStream(capture, 1 << 16);
            if (readLines(in)) {
                capture.drain(TRAILING_LIMIT); // to the answer's end (the connection is kept), unless more follows
            }
        } catch (ZipException | EOFException damaged) {
            damage = "unreadable gzip after line " + number + " (" + damaged + "); the lines before it are delivered";
        } catch (FileTooBig tooBig) {
            damage = tooBig.getMessage() + " after line " + number + "; the lines before it are delivered";
        } finally {
            if (damage != null) {
                longLine = null; // part of the file's dead letter
                damage += digestOfTheRest();
            }
            if (in != null) {
                in.close();
            }
        }
    }

    /** The rest of a file that cannot be read, read for its size and digest (as far as the limit). */
    private String digestOfTheRest() {
        try {
            return capture.drain(DRAIN_LIMIT) ? "" : "; its size and SHA-256 are of its first " + capture.size() + " bytes";
        } catch (IOException broken) {
            return "; its size and SHA-256 are of the " + capture.size() + " bytes read before the download broke off";
        }
    }

    /** What may follow a file's gzip stream in its answer and is still read (to keep the connection). */
    private static final long TRAILING_LIMIT = 64 << 10;

    /** How much more of a file that cannot be read is read for its digest. */
    private static final long DRAIN_LIMIT = 256L << 20;

    /** A file that inflates beyond MIMECAST_MAX_FILE_BYTES or MIMECAST_MAX_INFLATE_RATIO. */
    private static final class FileTooBig extends IOException {
        FileTooBig(String message) {
            super(message);
        }
    }

    /** Cuts the file's lines into the chunks: true once read to its end, false when the reader stopped first. */
    private boolean readLines(InputStream in) throws IOException {
        int filled = 0;
        int lineStart = 0;
        int scanned = 0;
        long inflated = 0;
        while (!closed && !stop) {
            for (int i = scanned; i < filled; i++) {
                if (buffer[i] == '\n') {
                    endLine(lineStart, i - lineStart);
                    lineStart = i + 1;
                }
            }
            // no whole line left: keep the partial one at the start of the buffer and read on
            System.arraycopy(buffer, lineStart, buffer, 0, filled - lineStart);
            filled -= lineStart;
            scanned = filled;
            lineStart = 0;
            if (filled == buffer.length) {
                // a line of the limit's length and its newline still fit
                if (buffer.length <= limits.maxLineBytes()) {
                    buffer = Arrays.copyOf(buffer, (int) Math.min((long) buffer.length * 2, limits.maxLineBytes() + 1L));
                } else {
                    // a line longer than the limit: its bytes are counted and digested, not kept
                    if (longLine == null) {
                        longLine = new StreamCapture(InputStream.nullInputStream(), DeadLetters.MAX_CONTENT);
                    }
                    longLine.take(buffer, 0, filled);
                    filled = 0;
                    scanned = 0;
                }
            }
            int read = in.read(buffer, filled, buffer.length - filled);
            if (read < 0) {
                if (filled > 0 || longLine != null) {
                    endLine(0, filled); // no newline at the end
                }
                return true;
            }
            inflated += read;
            if (inflated > limits.maxFileBytes()) {
                throw new FileTooBig("the file inflates beyond MIMECAST_MAX_FILE_BYTES (" + limits.maxFileBytes()
                        + " bytes)");
            }
            if (inflated > Limits.RATIO_FLOOR && inflated > (long) limits.maxRatio() * capture.size()) {
                throw new FileTooBig("the file inflates more than MIMECAST_MAX_INFLATE_RATIO (" + limits.maxRatio()
                        + ") times its size (" + inflated + " bytes from " + capture.size() + ")");
            }
            filled += read;
        }
        return false;
    }

    /** A line's end: a line to deliver, or the end of one longer than the limit. */
    private void endLine(int offset, int length) throws IOException {
        if (longLine == null) {
            line(offset, length);
            return;
        }
        StreamCapture tooLong = longLine;
        longLine = null;
        tooLong.take(buffer, offset, length);
        if (stop || ++number <= delivered) {
            return; // reported by an earlier run
        }
        source.lineTooLong(run, url, number, "line " + number + " is " + tooLong.size()
                + " bytes, longer than MIMECAST_MAX_LINE_BYTES (" + limits.maxLineBytes() + ")", tooLong);
    }

    private void line(int offset, int length) throws IOException {
        if (stop) {
            return;
        }
        if (++number <= delivered) {
            return; // delivered by an earlier run
        }
        if (overhead < 0) {
            overhead = lineOverhead.getAsInt();
        }
        if (files.isEmpty() || !files.get(files.size() - 1).equals(fileKey)) {
            files.add(fileKey);
        }
        if (segmentSize + length > segment.length) {
            if (segmentSize > 0) {
                segments.add(segment);
            }
            segment = new byte[Math.max(SEGMENT, length)];
            segmentSize = 0;
        }
        System.arraycopy(buffer, offset, segment, segmentSize, length);
        if (count == starts.length) {
            int size = count * 2;
            fileOf = Arrays.copyOf(fileOf, size);
            numbers = Arrays.copyOf(numbers, size);
            bufferOf = Arrays.copyOf(bufferOf, size);
            starts = Arrays.copyOf(starts, size);
            lengths = Arrays.copyOf(lengths, size);
        }
        fileOf[count] = files.size() - 1;
        numbers[count] = number;
        bufferOf[count] = segments.size();
        starts[count] = segmentSize;
        lengths[count] = length;
        segmentSize += length;
        cost += length + overhead;
        count++;
        if (length > 0) {
            run.fetched.increment();
        }
        if (cost + 512 + overhead >= targetBytes) {
            flush(false); // the next line (of about 512 bytes) would not fit
            stop = stopping.getAsBoolean();
        }
    }

    /** Hands the chunk being filled over to the route (at the end, also one without lines for files that ended). */
    private void flush(boolean last) throws IOException {
        if (count == 0 && (!last || ended.isEmpty())) {
            return;
        }
        if (count > 0) {
            segments.add(segment);
        }
        Lines lines = new Lines(files.toArray(new String[0]), Arrays.copyOf(fileOf, count),
                Arrays.copyOf(numbers, count), segments.toArray(new byte[0][]), Arrays.copyOf(bufferOf, count),
                Arrays.copyOf(starts, count), Arrays.copyOf(lengths, count), count, ended);
        files.clear();
        ended.clear();
        segments.clear();
        segment = new byte[0]; // the chunk's buffers now belong to the route
        segmentSize = 0;
        count = 0;
        cost = 0;
        overhead = -1;
        if (!handOver(lines)) {
            throw new IOException("the split over the files was closed");
        }
    }

    /** Waits until the route takes the item; false when the split was closed meanwhile. */
    private boolean handOver(Object item) {
        try {
            while (!closed) {
                if (ahead.offer(item, 100, TimeUnit.MILLISECONDS)) {
                    return true;
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return false;
    }
}
