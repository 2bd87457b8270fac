# Slim, non-root image running `acctcheck serve`. Rules are mounted read-only at /rules (the bundled
# rules are baked in at /app/rules as the default).
FROM python:3.11-slim AS build
WORKDIR /app
COPY pyproject.toml README.md ./
COPY src ./src
RUN python -m pip install --no-cache-dir --upgrade pip \
 && python -m pip wheel --no-cache-dir --wheel-dir /wheels .

FROM python:3.11-slim
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 \
    ACCTCHECK_RULES_DIR=/rules
RUN groupadd --system acct && useradd --system --gid acct --home-dir /app --shell /usr/sbin/nologin acct
COPY --from=build /wheels /wheels
RUN python -m pip install --no-cache-dir /wheels/* && rm -rf /wheels
WORKDIR /app
COPY rules /rules
USER acct
EXPOSE 8000
HEALTHCHECK --interval=10s --timeout=2s --start-period=10s --retries=3 \
  CMD python -c "import urllib.request,sys; sys.exit(0 if urllib.request.urlopen('http://127.0.0.1:8000/readyz', timeout=2).status == 200 else 1)"
ENTRYPOINT ["acctcheck", "serve", "--host", "0.0.0.0", "--port", "8000", "--rules", "/rules"]
CMD ["--workers", "2"]
