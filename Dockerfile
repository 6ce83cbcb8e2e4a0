# One image for every process; docker-compose.yml picks the entrypoint per service.
# The Mini App is built with the dev dependencies (Vite, Preact) in its own stage; only its dist/ is kept.
FROM node:20-bookworm-slim AS mini-app
WORKDIR /build
COPY package.json package-lock.json .npmrc ./
RUN npm ci --no-audit --no-fund
COPY . .
RUN node --import tsx clients/mini-app/build.ts

FROM node:20-bookworm-slim
WORKDIR /app
ENV NODE_ENV=production
COPY package.json package-lock.json .npmrc ./
RUN npm ci --no-audit --no-fund
COPY . .
COPY --from=mini-app /build/clients/mini-app/dist clients/mini-app/dist
USER node
# e.g. docker run IMAGE subgraphs/identity/main.ts
ENTRYPOINT ["node", "--import", "tsx"]
CMD ["gateway/main.ts"]
