package dev.hypha.ml.llm;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.CancellationException;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Supplier;

/**
 * Continuous batching for one model: concurrent generations ("streams") share each decode step. Every stream's newest
 * token goes into one {@link DecodeBatch} step, so the weights are read once per step for all streams; streams join
 * and leave between steps. One worker thread runs all of the model's computation (the model's threads serve one
 * forward pass at a time), the streams' own threads do everything else (sampling, constraints, stop sequences,
 * writing to clients).
 *
 * <p>Memory and fairness: at most {@code maxStreams} streams are open at once (each holds one KV cache); further
 * {@link #open()} calls wait in arrival order. Each step runs at most one chunk of {@code prefillChunk} prompt tokens
 * (the prompts in turn, the oldest first) beside the decode rows of every stream waiting for one, so a long prompt
 * delays the others' next tokens by one chunk, not by its whole length. A step waits up to {@link #GATHER_NANOS} for
 * open streams that are between steps (sampling their last token), so they stay in one batch instead of alternating.
 *
 * <p>Results: a stream's logits are the same bits as running its session alone ({@link DecodeBatch}); what it is
 * batched with, and when, never changes them (in deterministic mode, {@code MathMode.STRICT}, across runs too).
 *
 * <p>Abandon: a stream whose thread is interrupted while waiting leaves at once if its work has not started (a
 * {@link CancellationException}), else after the running step; the other streams go on. A stream that simply stops
 * calling (its client went away) is closed and no longer waited for.
 */
public final class ContinuousBatcher implements AutoCloseable {
    /** Longest a step waits for open streams that have not yet asked for their next token. */
    static final long GATHER_NANOS = TimeUnit.MILLISECONDS.toNanos(2);

    /** Counts since start: steps run, decode rows run (rows / steps is the mean batch), prompt chunks run. */
    public record Stats(long steps, long decodeRows, long promptChunks, int widest) {}

    private final Model model;
    private final DecodeBatch decode;
    private final int prefillChunk;
    private final Semaphore admission;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition changed = lock.newCondition();
    private final ArrayDeque<Job> queue = new ArrayDeque<>(); // guarded by lock, in arrival order
    private final Thread worker;
    private int open; // guarded by lock: streams open now
    private boolean closed; // guarded by lock
    private long steps;
    private long decodeRows;
    private long promptChunks;
    private int widest;

    /**
     * @param maxStreams   most streams open at once (KV caches in use), 1 to 256
     * @param prefillChunk most prompt tokens one step processes
     * @param name         for the worker thread's name
     */
    public ContinuousBatcher(Model model, int maxStreams, int prefillChunk, String name) {
        if (prefillChunk < 1) {
            throw new IllegalArgumentException("a prompt chunk must be at least 1 token, not " + prefillChunk);
        }
        this.model = model;
        this.decode = new DecodeBatch(model, maxStreams);
        this.prefillChunk = prefillChunk;
        this.admission = new Semaphore(maxStreams, true);
        this.worker = Thread.ofPlatform().daemon().name("batcher-" + name).start(this::work);
    }

    /** Streams that may be open at once. */
    public int maxStreams() {
        return decode.width();
    }

    /**
     * Opens a stream, waiting (in arrival order) while {@link #maxStreams()} are open.
     *
     * @throws InterruptedException if interrupted while waiting
     */
    public Stream open() throws InterruptedException {
        admission.acquire();
        lock.lock();
        try {
            if (closed) {
                admission.release();
                throw new IllegalStateException("the model was unloaded");
            }
            open++;
            return new Stream();
        } finally {
            lock.unlock();
        }
    }

    /**
     * Runs {@code work} on the worker between steps (other use of the model's threads, e.g. embeddings with a decoder
     * model) and returns its result; interruption is only noted, since the work cannot be abandoned half done.
     */
    public <T> T exclusive(Supplier<T> work) {
        Job job = new Job(null, null, work);
        submit(job);
        @SuppressWarnings("unchecked")
        T result = (T) await(job).task;
        return result;
    }

    /** Threads waiting in {@link #open()} for a stream to close. */
    public int waitingToOpen() {
        return admission.getQueueLength();
    }

    public Stats stats() {
        lock.lock();
        try {
            return new Stats(steps, decodeRows, promptChunks, widest);
        } finally {
            lock.unlock();
        }
    }

    /** One open stream: a {@link SessionRunner} whose steps are batched with the other streams'. Close it when done. */
    public final class Stream implements SessionRunner, AutoCloseable {
        private boolean released;

        private Stream() {
        }

        /**
         * Appends {@code tokens} to {@code session} in the next steps and returns the logits after the last one.
         *
         * @throws ContextOverflowException if the tokens do not fit (nothing is processed then)
         * @throws CancellationException    if this thread was interrupted before the work started (the interrupt flag
         *                                  is set again)
         */
        @Override
        public float[] process(Session session, int[] tokens) {
            if (released) {
                throw new IllegalStateException("this stream is closed");
            }
            if (session.model() != model) {
                throw new IllegalArgumentException("the session belongs to another model");
            }
            if (tokens.length == 0) {
                throw new IllegalArgumentException("no tokens to process");
            }
            if (tokens.length > session.contextSize() - session.position()) {
                throw new ContextOverflowException(session.position(), tokens.length, session.contextSize());
            }
            int vocab = model.config().vocabSize();
            for (int t : tokens) {
                if (t < 0 || t >= vocab) {
                    throw new IllegalArgumentException("token id " + t + " is outside the vocabulary of " + vocab);
                }
            }
            Job job = new Job(session, tokens.clone(), null);
            submit(job);
            return await(job).logits;
        }

        /** Leaves: the batcher no longer waits for this stream, and a waiting {@link #open()} may go on. */
        @Override
        public void close() {
            if (released) {
                return;
            }
            released = true;
            lock.lock();
            try {
                open--;
                changed.signalAll();
            } finally {
                lock.unlock();
            }
            admission.release();
        }
    }

    /** A session's tokens to append (a prompt, or one newest token), or a task; {@code done} tokens are processed. */
    private static final class Job {
        final Session session;
        final int[] tokens;
        final Supplier<?> work;
        int done;
        boolean running;
        boolean cancelled;
        boolean finished;
        float[] logits;
        Object task;
        RuntimeException error;

        Job(Session session, int[] tokens, Supplier<?> work) {
            this.session = session;
            this.tokens = tokens;
            this.work = work;
        }

        int remaining() {
            return tokens.length - done;
        }
    }

    private void submit(Job job) {
        lock.lock();
        try {
            if (closed) {
                throw new IllegalStateException("the model was unloaded");
            }
            for (Job j : queue) {
                if (job.session != null && j.session == job.session) {
                    throw new IllegalStateException("the session is already being processed");
                }
            }
            queue.addLast(job);
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    private Job await(Job job) {
        boolean interrupted = false;
        lock.lock();
        try {
            while (!job.finished) {
                try {
                    changed.await();
                } catch (InterruptedException e) {
                    interrupted = true;
                    if (!job.running && queue.remove(job)) {
                        finish(job, new CancellationException("abandoned before its step ran"));
                    } else {
                        job.cancelled = true; // the worker finishes it after the running step
                    }
                }
            }
        } finally {
            lock.unlock();
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
        if (job.error != null) {
            throw job.error;
        }
        return job;
    }

    private static void finish(Job job, RuntimeException error) {
        job.error = error;
        job.finished = true;
    }

    private void work() {
        Session[] sessions = new Session[decode.width()];
        int[] tokens = new int[decode.width()];
        List<Job> rows = new ArrayList<>(decode.width());
        while (true) {
            Job task = null;
            Job prompt = null;
            rows.clear();
            lock.lock();
            try {
                while (!closed && queue.isEmpty()) {
                    changed.awaitUninterruptibly();
                }
                if (closed) {
                    for (Job j : queue) {
                        finish(j, new IllegalStateException("the model was unloaded"));
                    }
                    queue.clear();
                    changed.signalAll();
                    return;
                }
                gather();
                for (Iterator<Job> it = queue.iterator(); it.hasNext(); ) {
                    Job j = it.next();
                    if (j.work != null) {
                        if (task == null) {
                            task = j;
                            it.remove();
                        }
                    } else if (j.remaining() == 1) {
                        if (rows.size() < decode.width()) {
                            rows.add(j);
                            it.remove();
                        }
                    } else if (prompt == null) {
                        prompt = j;
                        it.remove();
                    }
                }
                for (Job j : rows) {
                    j.running = true;
                }
                if (prompt != null) {
                    prompt.running = true;
                }
                if (task != null) {
                    task.running = true;
                }
            } finally {
                lock.unlock();
            }
            if (task != null) {
                try {
                    task.task = task.work.get();
                } catch (RuntimeException e) {
                    task.error = e;
                }
            }
            boolean promptDone = false;
            if (prompt != null) {
                try {
                    int n = Math.min(prefillChunk, prompt.remaining());
                    int[] chunk = java.util.Arrays.copyOfRange(prompt.tokens, prompt.done, prompt.done + n);
                    if (n == prompt.remaining()) {
                        prompt.logits = prompt.session.process(chunk);
                        promptDone = true;
                    } else {
                        prompt.session.append(chunk);
                    }
                    prompt.done += n;
                } catch (RuntimeException e) {
                    prompt.error = e;
                }
            }
            RuntimeException stepError = null;
            if (!rows.isEmpty()) {
                for (int i = 0; i < rows.size(); i++) {
                    sessions[i] = rows.get(i).session;
                    tokens[i] = rows.get(i).tokens[rows.get(i).done];
                }
                try {
                    float[][] logits = decode.step(sessions, tokens, rows.size());
                    for (int i = 0; i < rows.size(); i++) {
                        rows.get(i).logits = logits[i];
                        rows.get(i).done++;
                    }
                } catch (RuntimeException e) {
                    stepError = e; // checked before it ran, so a bug: every row of the step learns of it
                }
                java.util.Arrays.fill(sessions, null);
            }
            lock.lock();
            try {
                steps++;
                decodeRows += rows.size();
                widest = Math.max(widest, rows.size());
                if (task != null) {
                    task.finished = true;
                }
                if (prompt != null) {
                    promptChunks++;
                    prompt.running = false;
                    if (prompt.error != null || promptDone) {
                        prompt.finished = true;
                    } else if (prompt.cancelled) {
                        finish(prompt, new CancellationException("abandoned while its prompt was processed"));
                    } else {
                        queue.addLast(prompt); // the other prompts' turn first
                    }
                }
                for (Job j : rows) {
                    j.running = false;
                    if (stepError != null) {
                        j.error = stepError;
                    }
                    j.finished = true;
                }
                changed.signalAll();
            } finally {
                lock.unlock();
            }
        }
    }

    /**
     * Waits (lock held, up to {@link #GATHER_NANOS}) while fewer step jobs are queued than streams are open, so streams
     * that are sampling their last token join this step. Only which steps rows share depends on timing; their bits
     * never do.
     */
    private void gather() {
        long left = GATHER_NANOS;
        while (!closed && left > 0) {
            int steppers = 0;
            for (Job j : queue) {
                if (j.session != null) {
                    steppers++;
                }
            }
            if (steppers >= open) {
                return;
            }
            try {
                left = changed.awaitNanos(left);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    /** Stops the worker after the running step; queued work fails with "the model was unloaded". */
    @Override
    public void close() {
        lock.lock();
        try {
            closed = true;
            changed.signalAll();
        } finally {
            lock.unlock();
        }
        boolean interrupted = false;
        while (true) {
            try {
                worker.join();
                break;
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }
}
