package org.correlationstation.local.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CopyOnWriteArrayList;
import org.apache.kafka.common.errors.NotControllerException;
import org.apache.kafka.common.errors.UnknownServerException;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.core.LogEvent;
import org.apache.logging.log4j.core.LoggerContext;
import org.apache.logging.log4j.core.appender.AbstractAppender;
import org.apache.logging.log4j.core.config.Configuration;
import org.apache.logging.log4j.core.config.Property;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The filter that keeps a normal start quiet; the broker itself runs in LocalModeITCase. */
class EmbeddedBrokerTest {
    /** What kafka.server.ControllerApis logs when the registration beats the controller's activation. */
    private static final String RACE = "Unexpected error handling request RequestHeader(apiKey=CONTROLLER_REGISTRATION, "
            + "apiVersion=0, clientId=1, correlationId=0, headerVersion=2) -- ControllerRegistrationRequestData("
            + "controllerId=1) with context RequestContext(...)";

    private final Logger controllerApis = LoggerFactory.getLogger(EmbeddedBroker.RegistrationRaceFilter.LOGGER);
    private final List<LogEvent> logged = new CopyOnWriteArrayList<>();
    private AbstractAppender capture;

    @BeforeEach
    void captureLogs() {
        LoggerContext context = (LoggerContext) LogManager.getContext(false);
        Configuration config = context.getConfiguration();
        capture = new AbstractAppender("capture", null, null, true, Property.EMPTY_ARRAY) {
            @Override
            public void append(LogEvent event) {
                logged.add(event.toImmutable());
            }
        };
        capture.start();
        config.addAppender(capture);
        config.getRootLogger().addAppender(capture, null, null);
        context.updateLoggers();
    }

    @AfterEach
    void stopCapturing() {
        LoggerContext context = (LoggerContext) LogManager.getContext(false);
        context.getConfiguration().getRootLogger().removeAppender(capture.getName());
        context.updateLoggers();
        capture.stop();
    }

    @Test
    void whileStartingOnlyTheRegistrationRaceIsDropped() {
        Runnable remove = EmbeddedBroker.RegistrationRaceFilter.install();
        try {
            controllerApis.error(RACE, new CompletionException(new NotControllerException("No controller appears to be active.")));
            controllerApis.error(RACE, new NotControllerException("No controller appears to be active."));
            // Anything else from that logger still shows: another API, another error, or no error at all.
            controllerApis.error(RACE.replace("CONTROLLER_REGISTRATION", "CREATE_TOPICS"),
                    new CompletionException(new NotControllerException("No controller appears to be active.")));
            controllerApis.error(RACE, new CompletionException(new UnknownServerException("boom")));
            controllerApis.error(RACE);
        } finally {
            remove.run();
        }
        controllerApis.error(RACE, new CompletionException(new NotControllerException("after the start")));

        assertThat(logged).extracting(e -> e.getThrown() == null ? "none" : rootCause(e.getThrown()).getMessage())
                .containsExactly("No controller appears to be active.", "boom", "none", "after the start");
    }

    @Test
    void removingTheFilterLeavesTheLoggerAsItWas() {
        LoggerContext context = (LoggerContext) LogManager.getContext(false);
        String before = context.getConfiguration().getLoggerConfig(EmbeddedBroker.RegistrationRaceFilter.LOGGER).getName();

        EmbeddedBroker.RegistrationRaceFilter.install().run();

        var after = context.getConfiguration().getLoggerConfig(EmbeddedBroker.RegistrationRaceFilter.LOGGER);
        assertThat(after.getName()).isEqualTo(before);
        assertThat(after.getFilter()).isNull();
    }

    private static Throwable rootCause(Throwable t) {
        while (t.getCause() != null && t.getCause() != t) t = t.getCause();
        return t;
    }
}
