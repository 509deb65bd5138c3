import { ConditionalCheckFailedException, TransactionCanceledException } from '@aws-sdk/client-dynamodb'
import {
  DeleteCommand,
  type DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  type QueryCommandInput,
  TransactWriteCommand,
} from '@aws-sdk/lib-dynamodb'
import { monotonicFactory } from 'ulid'
import { decodeCursor, InvalidCursor } from '../platform/cursor'
import { queryAll, queryPage } from '../platform/dynamodb'
import { keys, PROJECT_SORT_PREFIX } from '../platform/table'
import type { ProjectInput, ProjectRecord } from './project'
import { ImportConflict, ProjectNotFound, ProjectVersionConflict } from './project-errors'

export interface ProjectPage {
  items: ProjectRecord[]
  nextCursor?: string | undefined
}

/** One change an import applies: a new project, or new content for an existing one at a known version. */
export type ProjectImportWrite =
  | { action: 'create'; input: ProjectInput }
  | { action: 'update'; id: string; expectedVersion: number; input: ProjectInput }

/** DynamoDB transactions take at most 100 items, and an import is one transaction (all or nothing). */
export const MAX_IMPORT_WRITES = 100

/**
 * Every access pattern on projects. Each method takes the organisation first: it is the partition
 * key, so no method can reach another organisation's project.
 */
export interface ProjectStore {
  create(org: string, input: ProjectInput, actor: string, now: Date): Promise<ProjectRecord>
  get(org: string, id: string): Promise<ProjectRecord | undefined>
  /** One page of the organisation's projects, in id (creation) order. */
  list(org: string, options: { limit: number; cursor?: string | undefined }): Promise<ProjectPage>
  /** Every project of the organisation, in id (creation) order: the portfolio matrix's input. */
  listAll(org: string): Promise<ProjectRecord[]>
  replace(
    org: string,
    id: string,
    input: ProjectInput,
    expectedVersion: number,
    actor: string,
    now: Date,
  ): Promise<ProjectRecord>
  delete(org: string, id: string, expectedVersion: number): Promise<void>
  /** Applies all the writes in one transaction, or none of them (`ImportConflict`). */
  applyImport(
    org: string,
    writes: readonly ProjectImportWrite[],
    actor: string,
    now: Date,
  ): Promise<ProjectRecord[]>
}

const INTERNAL_ATTRIBUTES = new Set(['pk', 'sk'])

/** Monotonic within a millisecond, so the projects of one import keep the file's order. */
const nextUlid = monotonicFactory()

export class DynamoProjectStore implements ProjectStore {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async create(org: string, input: ProjectInput, actor: string, now: Date): Promise<ProjectRecord> {
    const record = newRecord(input, actor, now)
    await this.client.send(
      new PutCommand({
        TableName: this.tableName,
        Item: { ...keys.project(org, record.id), ...record },
        ConditionExpression: 'attribute_not_exists(pk)',
      }),
    )
    return record
  }

  async get(org: string, id: string): Promise<ProjectRecord | undefined> {
    const { Item } = await this.client.send(
      new GetCommand({ TableName: this.tableName, Key: keys.project(org, id), ConsistentRead: true }),
    )
    return Item ? toRecord(Item) : undefined
  }

  async list(org: string, options: { limit: number; cursor?: string | undefined }): Promise<ProjectPage> {
    const scope = { pk: keys.organisation(org) }
    const startKey = options.cursor ? decodeCursor(options.cursor, scope) : undefined
    if (startKey && !String(startKey.sk ?? '').startsWith(PROJECT_SORT_PREFIX)) {
      // A cursor must not walk the listing outside the organisation's projects.
      throw new InvalidCursor()
    }
    const page = await queryPage(this.client, this.projectsOf(org), options, scope)
    return { items: page.items.map(toRecord), nextCursor: page.nextCursor }
  }

  async listAll(org: string): Promise<ProjectRecord[]> {
    return (await queryAll(this.client, this.projectsOf(org))).map(toRecord)
  }

  /** The Query of an organisation's projects, in id (creation) order. */
  private projectsOf(org: string): QueryCommandInput {
    return {
      TableName: this.tableName,
      KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
      ExpressionAttributeValues: { ':pk': keys.organisation(org), ':prefix': PROJECT_SORT_PREFIX },
      ConsistentRead: true,
    }
  }

  async replace(
    org: string,
    id: string,
    input: ProjectInput,
    expectedVersion: number,
    actor: string,
    now: Date,
  ): Promise<ProjectRecord> {
    const current = await this.get(org, id)
    if (!current) throw new ProjectNotFound(id)
    if (current.version !== expectedVersion)
      throw new ProjectVersionConflict(id, expectedVersion, current.version)
    const record = updatedRecord(current, input, actor, now)
    try {
      await this.client.send(
        new PutCommand({
          TableName: this.tableName,
          Item: { ...keys.project(org, id), ...record },
          ConditionExpression: 'version = :expected',
          ExpressionAttributeValues: { ':expected': expectedVersion },
          ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
        }),
      )
    } catch (error) {
      throw conditionError(error, id, expectedVersion)
    }
    return record
  }

  async delete(org: string, id: string, expectedVersion: number): Promise<void> {
    try {
      await this.client.send(
        new DeleteCommand({
          TableName: this.tableName,
          Key: keys.project(org, id),
          ConditionExpression: 'version = :expected',
          ExpressionAttributeValues: { ':expected': expectedVersion },
          ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
        }),
      )
    } catch (error) {
      throw conditionError(error, id, expectedVersion)
    }
  }

  async applyImport(
    org: string,
    writes: readonly ProjectImportWrite[],
    actor: string,
    now: Date,
  ): Promise<ProjectRecord[]> {
    if (writes.length === 0) return []
    if (writes.length > MAX_IMPORT_WRITES) {
      throw new RangeError(`An import writes at most ${MAX_IMPORT_WRITES} projects.`)
    }
    const currents = await Promise.all(
      writes.map((write) => (write.action === 'update' ? this.get(org, write.id) : undefined)),
    )
    const records = writes.map((write, index) => {
      if (write.action === 'create') return newRecord(write.input, actor, now)
      const current = currents[index]
      if (!current || current.version !== write.expectedVersion) throw new ImportConflict()
      return updatedRecord(current, write.input, actor, now)
    })
    try {
      await this.client.send(
        new TransactWriteCommand({
          TransactItems: writes.map((write, index) => {
            const record = records[index] as ProjectRecord
            const Item = { ...keys.project(org, record.id), ...record }
            return write.action === 'create'
              ? { Put: { TableName: this.tableName, Item, ConditionExpression: 'attribute_not_exists(pk)' } }
              : {
                  Put: {
                    TableName: this.tableName,
                    Item,
                    ConditionExpression: 'version = :expected',
                    ExpressionAttributeValues: { ':expected': write.expectedVersion },
                  },
                }
          }),
        }),
      )
    } catch (error) {
      if (error instanceof TransactionCanceledException) throw new ImportConflict()
      throw error
    }
    return records
  }
}

/** ULIDs sort by creation time, so the partition lists projects oldest first. */
function newRecord(input: ProjectInput, actor: string, now: Date): ProjectRecord {
  const at = now.toISOString()
  return {
    ...input,
    id: nextUlid(now.getTime()).toLowerCase(),
    version: 1,
    createdAt: at,
    updatedAt: at,
    createdBy: actor,
    updatedBy: actor,
  }
}

function updatedRecord(current: ProjectRecord, input: ProjectInput, actor: string, now: Date): ProjectRecord {
  return {
    ...input,
    id: current.id,
    version: current.version + 1,
    createdAt: current.createdAt,
    createdBy: current.createdBy,
    updatedAt: now.toISOString(),
    updatedBy: actor,
  }
}

function conditionError(error: unknown, id: string, expectedVersion: number): unknown {
  if (!(error instanceof ConditionalCheckFailedException)) return error
  const old = error.Item as Record<string, { N?: string }> | undefined
  return old
    ? new ProjectVersionConflict(id, expectedVersion, Number(old.version?.N))
    : new ProjectNotFound(id)
}

function toRecord(item: Record<string, unknown>): ProjectRecord {
  const record: Record<string, unknown> = {}
  for (const [key, value] of Object.entries(item)) if (!INTERNAL_ATTRIBUTES.has(key)) record[key] = value
  return record as unknown as ProjectRecord
}
