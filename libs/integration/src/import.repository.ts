import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';

/** The only place import_file and import_mapping are queried. */
@Injectable()
export class ImportRepository {
  constructor(@InjectDataSource() private readonly ds: DataSource) {}

  /** Keep an uploaded file where every worker can read it. */
  async storeFile(name: string, content: Buffer, departmentId: string | null): Promise<string> {
    const id = randomUUID();
    await this.ds.query(`INSERT INTO import_file (id, file_name, content, department_id) VALUES ($1, $2, $3, $4)`, [id, name, content, departmentId]);
    return id;
  }

  async file(id: string): Promise<{ name: string; content: Buffer } | null> {
    const [row] = (await this.ds.query(`SELECT file_name, content FROM import_file WHERE id = $1`, [id])) as { file_name: string; content: Buffer }[];
    return row ? { name: row.file_name, content: row.content } : null;
  }

  async mapping(departmentId: string): Promise<Record<string, string>> {
    const [row] = (await this.ds.query(`SELECT mapping FROM import_mapping WHERE department_id = $1`, [departmentId])) as { mapping: Record<string, string> }[];
    return row?.mapping ?? {};
  }

  async saveMapping(departmentId: string, mapping: Record<string, string>): Promise<void> {
    await this.ds.query(
      `INSERT INTO import_mapping (department_id, mapping, updated_at) VALUES ($1, $2, now())
       ON CONFLICT (department_id) DO UPDATE SET mapping = EXCLUDED.mapping, updated_at = now()`,
      [departmentId, JSON.stringify(mapping)],
    );
  }
}
