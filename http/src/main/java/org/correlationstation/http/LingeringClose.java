package org.correlationstation.http;

import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import io.netty.channel.socket.DuplexChannel;
import io.netty.util.ReferenceCountUtil;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Closes a connection after its last answer without losing that answer. A close with unread request
 * bytes (the rest of a refused body or URL) makes the kernel answer with a reset, and the client may
 * then drop the response it has not read yet. So on close the output is shut once every pending
 * write is out (FIN after the response), input is read and dropped until the client closes, and
 * the channel is closed after {@link #LINGER_MS} at the latest.
 *
 * <p>Put in front of Vert.x's connection handler only on connections that are to close (see
 * {@link VertxExchange#write}): every close of the connection passes here, Vert.x's own ones
 * included (after a malformed request, or a client's {@code Connection: close}). Further closes
 * while lingering wait for it, unless the server is stopping.
 */
final class LingeringClose extends ChannelDuplexHandler {
    /** Longest wait for the client to close after the server's last response. */
    static final long LINGER_MS = 2_000;

    private final AtomicBoolean stopping;
    private boolean lingering;

    LingeringClose(AtomicBoolean stopping) {
        this.stopping = stopping;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (lingering) ReferenceCountUtil.release(msg);
        else ctx.fireChannelRead(msg);
    }

    @Override
    public void close(ChannelHandlerContext ctx, ChannelPromise promise) {
        Channel channel = ctx.channel();
        if (stopping.get() || !(channel instanceof DuplexChannel duplex) || !channel.isActive() || duplex.isInputShutdown()) {
            ctx.close(promise);
            return;
        }
        channel.closeFuture().addListener(f -> promise.trySuccess());
        if (lingering) return;
        lingering = true;
        channel.config().setAutoRead(true);
        // After every write before it (the answer): then FIN, then wait for the client's.
        ctx.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener((ChannelFutureListener) written -> {
            if (!written.isSuccess()) {
                ctx.close();
                return;
            }
            duplex.shutdownOutput().addListener(shut -> {
                if (shut.isSuccess()) ctx.executor().schedule(() -> ctx.close(), LINGER_MS, TimeUnit.MILLISECONDS);
                else ctx.close();
            });
        });
    }
}
