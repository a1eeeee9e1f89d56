package routes.security;

import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.util.List;
import org.springframework.security.authentication.UsernamePasswordAuthenticationToken;
import org.springframework.security.core.authority.SimpleGrantedAuthority;
import org.springframework.security.core.context.SecurityContextHolder;
import org.springframework.web.filter.OncePerRequestFilter;

/** {@code Authorization: Bearer <ingest.security.admin-token>} → authenticated as the admin (scripts, Prometheus jobs). */
final class AdminTokenFilter extends OncePerRequestFilter {

    private final SecurityProperties properties;

    AdminTokenFilter(SecurityProperties properties) {
        this.properties = properties;
    }

    @Override
    protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws ServletException, IOException {
        if (properties.hasAdminToken() && BearerTokens.matches(request, properties.adminToken())) {
            var auth = new UsernamePasswordAuthenticationToken(properties.adminUser() + "-token", null,
                    List.of(new SimpleGrantedAuthority("ROLE_" + SecurityConfiguration.ADMIN)));
            SecurityContextHolder.getContext().setAuthentication(auth);
        }
        chain.doFilter(request, response);
    }
}
