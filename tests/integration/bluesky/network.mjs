// Starts a Bluesky network for socialdesk's tests: a mock PLC directory, the official PDS and, with
// DB_POSTGRES_URL and REDIS_HOST set, the AppView (with bsync and ozone, which it needs) so that
// notifications, threads, profiles and counts can be read as on bsky.social.
// Prints one JSON line {"pds": url, "appview": url|null} when ready; stops cleanly on SIGTERM.
import { TestNetwork, TestNetworkNoAppView } from '@atproto/dev-env'

const withAppView = Boolean(process.env.DB_POSTGRES_URL && process.env.REDIS_HOST)
const pds = { hostname: 'localhost', enableDidDocWithSession: true }
const network = withAppView
  ? await TestNetwork.create({ pds, dbPostgresSchema: process.env.DB_POSTGRES_SCHEMA || 'sdtest' })
  : await TestNetworkNoAppView.create({ pds })

// The AppView indexes what the PDS emits; in production that is continuous, here we pump it.
let pumping = false
const pump = setInterval(async () => {
  if (pumping) return
  pumping = true
  try {
    await network.processAll()
  } catch (err) {
    console.error('processAll failed:', err?.message ?? err)
  } finally {
    pumping = false
  }
}, 300)

// Stopping is immediate: the test fixture drops the database and the temporary directory afterwards,
// so a graceful close (which first indexes everything once more) would only cost time.
const stop = () => {
  clearInterval(pump)
  process.exit(0)
}
process.on('SIGTERM', stop)
process.on('SIGINT', stop)

console.log(JSON.stringify({ pds: network.pds.url, appview: withAppView ? network.bsky.url : null }))
