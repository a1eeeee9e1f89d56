package routes.source.http;

import java.util.ArrayList;
import java.util.List;
import org.apache.camel.component.platform.http.spi.PlatformHttpEngine;
import org.apache.camel.component.platform.http.springboot.SpringBootPlatformHttpEngine;
import org.springframework.beans.factory.config.BeanPostProcessor;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.env.Environment;
import org.springframework.web.method.support.HandlerMethodReturnValueHandler;
import org.springframework.web.servlet.mvc.method.annotation.DeferredResultMethodReturnValueHandler;
import org.springframework.web.servlet.mvc.method.annotation.RequestMappingHandlerAdapter;

/**
 * {@code POST /v1/events} runs its route on the servlet container's request thread and is answered there, in
 * one dispatch. camel-platform-http-starter's default hands every request to Spring's task executor and
 * returns a future, which makes each request an asynchronous one: a thread hand-off, and once the route has
 * answered, a second (ASYNC) dispatch through the security filter chain, the observation filter and the
 * dispatcher that finds nothing left to do — half of the request threads' CPU in the deployed HTTP benchmark
 * (docs/benchmarks.md). The route waits for its batch to commit either way; here it waits on the request
 * thread (Tomcat's pool, {@code server.tomcat.threads.max}), instead of on one of the task executor's.
 */
@Configuration(proxyBeanMethods = false)
public class PlatformHttpOnRequestThread {

    /** The engine the starter would make, with an executor that runs the route in the calling thread. */
    @Bean(name = "platform-http-engine")
    PlatformHttpEngine platformHttpEngine(Environment environment) {
        return new SpringBootPlatformHttpEngine(Integer.parseInt(environment.getProperty("server.port", "8080")),
                Runnable::run);
    }

    /** {@link AnsweredInRequest} first among Spring MVC's return value handlers, ahead of the asynchronous one. */
    @Bean
    static BeanPostProcessor answeredInRequestFirst() {
        return new BeanPostProcessor() {
            @Override
            public Object postProcessAfterInitialization(Object bean, String beanName) {
                if (bean instanceof RequestMappingHandlerAdapter adapter && adapter.getReturnValueHandlers() != null) {
                    List<HandlerMethodReturnValueHandler> handlers = new ArrayList<>(adapter.getReturnValueHandlers());
                    HandlerMethodReturnValueHandler asynchronous = handlers.stream()
                            .filter(DeferredResultMethodReturnValueHandler.class::isInstance).findFirst()
                            .orElseThrow(() -> new IllegalStateException("Spring MVC without its DeferredResult handler"));
                    handlers.add(0, new AnsweredInRequest(asynchronous));
                    adapter.setReturnValueHandlers(handlers);
                }
                return bean;
            }
        };
    }
}
