package io.strata.server;

import io.netty.channel.IoHandle;
import io.netty.channel.IoHandler;
import io.netty.channel.IoHandlerContext;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.IoRegistration;
import io.netty.util.concurrent.ThreadAwareExecutor;

import java.util.function.Consumer;

/**
 * The I/O handler of the io-threads 1 event loop, which is the keyspace thread: Netty's epoll or
 * NIO handler, wrapped so that a script past busy-reply-threshold can have the pending I/O
 * processed from inside its hook ({@link #processNow}), as Redis' processEventsWhileBlocked runs
 * aeProcessEvents with AE_FILE_EVENTS|AE_DONT_WAIT: ready connections are accepted, read and
 * written, nothing waits, and no task or timer runs (Netty runs those from its loop, not from
 * the handler).
 *
 * <p>Thread rule: the event loop's thread only, except {@link #wakeup}, which Netty calls from
 * any thread.
 */
final class KeyspaceIoHandler implements IoHandler {
    /** A context that never lets the handler wait: select now, handle what is ready, return. */
    private static final IoHandlerContext NOW = new IoHandlerContext() {
        @Override
        public boolean canBlock() {
            return false;
        }

        @Override
        public long delayNanos(long currentTimeNanos) {
            return 0;
        }

        @Override
        public long deadlineNanos() {
            return -1;
        }
    };

    private final IoHandler delegate;
    private final ThreadAwareExecutor executor;
    /** Netty's own run is on the stack: handling I/O from there again would re-enter the handler. */
    private boolean inRun;

    private KeyspaceIoHandler(IoHandler delegate, ThreadAwareExecutor executor) {
        this.delegate = delegate;
        this.executor = executor;
    }

    /** Wraps {@code base}; {@code created} receives the handler of the (single) event loop. */
    static IoHandlerFactory capturing(IoHandlerFactory base, Consumer<KeyspaceIoHandler> created) {
        return new IoHandlerFactory() {
            @Override
            public IoHandler newHandler(ThreadAwareExecutor ioExecutor) {
                KeyspaceIoHandler h = new KeyspaceIoHandler(base.newHandler(ioExecutor), ioExecutor);
                created.accept(h);
                return h;
            }

            @Override
            public boolean isChangingThreadSupported() {
                return base.isChangingThreadSupported();
            }
        };
    }

    /** True on the event loop's thread outside Netty's own I/O step, where {@link #processNow} may run. */
    boolean canProcessNow() {
        return !inRun && executor.isExecutorThread(Thread.currentThread());
    }

    /**
     * Handles the I/O events ready now without waiting; returns how many there were.
     * Precondition: {@link #canProcessNow()}.
     */
    int processNow() {
        inRun = true;
        try {
            return delegate.run(NOW);
        } finally {
            inRun = false;
        }
    }

    /**
     * Handles I/O, waiting up to {@code nanos} for some (the Lua debugger waiting for its client);
     * returns how many events there were. Precondition: {@link #canProcessNow()}.
     */
    int processWaiting(long nanos) {
        long deadline = System.nanoTime() + nanos;
        IoHandlerContext waiting = new IoHandlerContext() {
            @Override
            public boolean canBlock() {
                return true;
            }

            @Override
            public long delayNanos(long currentTimeNanos) {
                return Math.max(0, deadline - currentTimeNanos);
            }

            @Override
            public long deadlineNanos() {
                return deadline;
            }
        };
        inRun = true;
        try {
            return delegate.run(waiting);
        } finally {
            inRun = false;
        }
    }

    @Override
    public void initialize() {
        delegate.initialize();
    }

    @Override
    public int run(IoHandlerContext context) {
        inRun = true;
        try {
            return delegate.run(context);
        } finally {
            inRun = false;
        }
    }

    @Override
    public void prepareToDestroy() {
        delegate.prepareToDestroy();
    }

    @Override
    public void destroy() {
        delegate.destroy();
    }

    @Override
    public IoRegistration register(IoHandle handle) throws Exception {
        return delegate.register(handle);
    }

    @Override
    public void wakeup() {
        delegate.wakeup();
    }

    @Override
    public boolean isCompatible(Class<? extends IoHandle> handleType) {
        return delegate.isCompatible(handleType);
    }
}
