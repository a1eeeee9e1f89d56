package routes.security;

import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import org.springframework.web.filter.OncePerRequestFilter;

/**
 * Refuses writes a browser marks as cross-site ({@code Sec-Fetch-Site: cross-site}). CSRF tokens are
 * off for this API (curl and scripts use it), but a browser replays cached Basic credentials on a
 * cross-site form POST; this closes that hole without burdening API clients, which send no such header.
 */
final class CrossSiteWriteFilter extends OncePerRequestFilter {

    @Override
    protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws ServletException, IOException {
        boolean write = !"GET".equals(request.getMethod()) && !"HEAD".equals(request.getMethod())
                && !"OPTIONS".equals(request.getMethod());
        if (write && "cross-site".equalsIgnoreCase(request.getHeader("Sec-Fetch-Site"))) {
            response.sendError(HttpServletResponse.SC_FORBIDDEN, "cross-site write refused");
            return;
        }
        chain.doFilter(request, response);
    }
}
