package routes.source.http;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import org.apache.camel.component.platform.http.spi.PlatformHttpConsumer;
import org.springframework.core.MethodParameter;
import org.springframework.web.context.request.NativeWebRequest;
import org.springframework.web.method.support.HandlerMethodReturnValueHandler;
import org.springframework.web.method.support.ModelAndViewContainer;

/**
 * Ends a platform-http request whose route has already answered: the consumer ran the route on the request's
 * own thread ({@link PlatformHttpOnRequestThread}) and returns a finished future, so there is nothing left to
 * wait for and no reason for Spring MVC to start asynchronous processing (which would send the request
 * through the whole filter chain and the dispatcher a second time, an ASYNC dispatch, only to find the
 * response written). A future that is not finished goes to Spring MVC's own handler, as before.
 */
final class AnsweredInRequest implements HandlerMethodReturnValueHandler {

    private final HandlerMethodReturnValueHandler asynchronous;

    AnsweredInRequest(HandlerMethodReturnValueHandler asynchronous) {
        this.asynchronous = asynchronous;
    }

    @Override
    public boolean supportsReturnType(MethodParameter returnType) {
        return PlatformHttpConsumer.class.isAssignableFrom(returnType.getContainingClass())
                && CompletionStage.class.isAssignableFrom(returnType.getParameterType());
    }

    @Override
    public void handleReturnValue(Object returnValue, MethodParameter returnType, ModelAndViewContainer container,
                                  NativeWebRequest request) throws Exception {
        if (returnValue instanceof CompletableFuture<?> future && future.isDone()) {
            try {
                future.join();
            } catch (CompletionException e) {
                throw e.getCause() instanceof Exception cause ? cause : e;
            }
            container.setRequestHandled(true);
            return;
        }
        asynchronous.handleReturnValue(returnValue, returnType, container, request);
    }
}
