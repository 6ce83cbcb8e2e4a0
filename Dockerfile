# One image for every process; docker-compose.yml picks the entrypoint per service.
FROM node:20-bookworm-slim
WORKDIR /app
ENV NODE_ENV=production
COPY package.json package-lock.json .npmrc ./
RUN npm ci --no-audit --no-fund
COPY . .
USER node
# e.g. docker run IMAGE subgraphs/identity/main.ts
ENTRYPOINT ["node", "--import", "tsx"]
CMD ["gateway/main.ts"]
