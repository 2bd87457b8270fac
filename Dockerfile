# Slim, non-root image running `acctcheck serve`. The wheel carries the bundled rule packs (package data);
# the image also copies them to /rules, the directory it serves, so that `docker compose` (or a Kubernetes
# ConfigMap) can mount an operator's rules over /rules read-only.
FROM python:3.11-slim AS build
WORKDIR /app
COPY pyproject.toml README.md constraints.txt ./
COPY src ./src
# src/acctcheck/rules links to ../../rules: the wheel build reads the packs through it
COPY rules ./rules
RUN python -m pip install --no-cache-dir --upgrade pip \
 && python -m pip wheel --no-cache-dir --constraint constraints.txt --wheel-dir /wheels .

FROM python:3.11-slim
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 \
    ACCTCHECK_RULES_DIR=/rules
RUN groupadd --system acct && useradd --system --gid acct --home-dir /app --shell /usr/sbin/nologin acct
COPY --from=build /wheels /wheels
# --no-index: exactly the wheels built above (pinned by constraints.txt), nothing resolved again
RUN python -m pip install --no-cache-dir --no-index --find-links /wheels acctcheck && rm -rf /wheels
WORKDIR /app
COPY rules /rules
USER acct
EXPOSE 8000
HEALTHCHECK --interval=10s --timeout=2s --start-period=10s --retries=3 \
  CMD python -c "import urllib.request,sys; sys.exit(0 if urllib.request.urlopen('http://127.0.0.1:8000/readyz', timeout=2).status == 200 else 1)"
ENTRYPOINT ["acctcheck", "serve", "--host", "0.0.0.0", "--port", "8000", "--rules", "/rules"]
CMD ["--workers", "2"]
