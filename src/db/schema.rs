//! The one portable schema, shared by SQLite and PostgreSQL (types both backends have).

diesel::table! {
    organs (id) {
        id -> Text,
        name -> Text,
        kind -> Text,
        parent_id -> Nullable<Text>,
        legality_unit_id -> Nullable<Text>,
        pack_id -> Nullable<Text>,
        created_at -> Timestamp,
    }
}

diesel::table! {
    users (id) {
        id -> Text,
        username -> Text,
        display_name -> Text,
        password_hash -> Text,
        created_at -> Timestamp,
    }
}

diesel::table! {
    user_roles (user_id, organ_id, role) {
        user_id -> Text,
        organ_id -> Text,
        role -> Text,
    }
}

diesel::table! {
    sessions (token_hash) {
        token_hash -> Text,
        user_id -> Text,
        created_at -> Timestamp,
        expires_at -> Timestamp,
    }
}

diesel::table! {
    catalog_items (id) {
        id -> Text,
        organ_id -> Text,
        year -> Integer,
        title -> Text,
        undertaking_unit -> Text,
        category -> Text,
        procedures -> Text,
        status -> Text,
        created_at -> Timestamp,
        catalog_id -> Nullable<Text>,
        number -> Integer,
    }
}

diesel::table! {
    catalogs (id) {
        id -> Text,
        organ_id -> Text,
        year -> Integer,
        pack_id -> Text,
        pack_version -> Text,
        status -> Text,
        revision -> Integer,
        first_published_on -> Nullable<Text>,
        state -> Text,
        version -> BigInt,
        head_hash -> Text,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    decisions (id) {
        id -> Text,
        organ_id -> Text,
        lead_unit_id -> Text,
        catalog_item_id -> Nullable<Text>,
        title -> Text,
        pack_id -> Text,
        pack_version -> Text,
        status -> Text,
        attributes -> Text,
        state -> Text,
        version -> BigInt,
        head_hash -> Text,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        adopted_on -> Nullable<Text>,
        procedures_required -> Nullable<Text>,
        procedures_completed -> Nullable<Text>,
    }
}

diesel::table! {
    draft_versions (decision_id, number) {
        decision_id -> Text,
        number -> Integer,
        hash -> Text,
        content -> Text,
        created_by -> Text,
        created_at -> Timestamp,
    }
}

diesel::table! {
    stage_records (decision_id, stage) {
        decision_id -> Text,
        stage -> Text,
        status -> Text,
        rounds -> Integer,
        started_at -> Nullable<Timestamp>,
        completed_at -> Nullable<Timestamp>,
        due_on -> Nullable<Text>,
        done_on -> Nullable<Text>,
        organ_id -> Nullable<Text>,
    }
}

diesel::table! {
    events (decision_id, seq) {
        decision_id -> Text,
        seq -> BigInt,
        actor_user_id -> Text,
        actor_role -> Text,
        actor_organ_id -> Text,
        command -> Text,
        payload -> Text,
        draft_hash -> Nullable<Text>,
        at -> Timestamp,
        prev_hash -> Text,
        hash -> Text,
    }
}

diesel::table! {
    daily_digests (day) {
        day -> Text,
        heads -> Text,
        prev_digest -> Text,
        digest -> Text,
        created_at -> Timestamp,
    }
}

diesel::table! {
    seals (n) {
        n -> BigInt,
        sealed_at -> Timestamp,
        events -> Text,
        event_count -> BigInt,
        prev_digest -> Text,
        digest -> Text,
        public_key -> Text,
        signature -> Text,
    }
}

diesel::table! {
    sealed_heads (decision_id) {
        decision_id -> Text,
        seq -> BigInt,
    }
}

diesel::table! {
    comments (id) {
        id -> Text,
        decision_id -> Text,
        batch_seq -> BigInt,
        author_name -> Nullable<Text>,
        contact -> Nullable<Text>,
        body -> Text,
        address_hash -> Text,
        idempotency_key -> Nullable<Text>,
        received_at -> Timestamp,
        hash -> Text,
        hidden_reason -> Nullable<Text>,
        disposition -> Nullable<Text>,
        disposition_reason -> Nullable<Text>,
        handled_by -> Nullable<Text>,
        handled_at -> Nullable<Timestamp>,
        organ_id -> Nullable<Text>,
    }
}

diesel::table! {
    comment_counts (decision_id) {
        decision_id -> Text,
        received -> BigInt,
        hidden -> BigInt,
        adopted -> BigInt,
        partly_adopted -> BigInt,
        not_adopted -> BigInt,
        open -> BigInt,
    }
}

diesel::table! {
    comment_days (organ_id, day, decision_id) {
        organ_id -> Text,
        day -> Text,
        decision_id -> Text,
        received -> BigInt,
        adopted -> BigInt,
    }
}

diesel::allow_tables_to_appear_in_same_query!(
    comments,
    comment_counts,
    comment_days,
    organs,
    users,
    user_roles,
    sessions,
    catalog_items,
    catalogs,
    decisions,
    draft_versions,
    stage_records,
    events,
    daily_digests,
    seals,
    sealed_heads,
);

diesel::joinable!(sessions -> users (user_id));
diesel::joinable!(user_roles -> users (user_id));
diesel::joinable!(user_roles -> organs (organ_id));

diesel::table! {
    hearing_applications (id) {
        id -> Text,
        decision_id -> Text,
        round -> Integer,
        idempotency_key -> Text,
        request_hash -> Text,
        name -> Text,
        contact -> Text,
        interest_group -> Text,
        statement -> Text,
        civil_servant -> Bool,
        created_at -> Timestamp,
    }
}

diesel::table! {
    hearing_selections (decision_id, round) {
        decision_id -> Text,
        round -> Integer,
        seed -> Text,
        seats -> Text,
        chosen -> Text,
        event_seq -> BigInt,
        created_by -> Text,
        created_at -> Timestamp,
    }
}

diesel::table! {
    experts (id) {
        id -> Text,
        organ_id -> Text,
        name -> Text,
        organisation -> Nullable<Text>,
        fields -> Text,
        active -> Bool,
        idempotency_key -> Nullable<Text>,
        created_by -> Text,
        created_at -> Timestamp,
        deactivated_at -> Nullable<Timestamp>,
        deactivation_reason -> Nullable<Text>,
    }
}

diesel::table! {
    expert_fields (expert_id, field) {
        expert_id -> Text,
        field -> Text,
    }
}

// The hearing and expert-registry tables only meet each other in queries.
diesel::allow_tables_to_appear_in_same_query!(
    hearing_applications,
    hearing_selections,
    experts,
    expert_fields,
);

diesel::joinable!(expert_fields -> experts (expert_id));

diesel::table! {
    personal_data_reads (id) {
        id -> Text,
        user_id -> Text,
        decision_id -> Text,
        what -> Text,
        records -> BigInt,
        at -> Timestamp,
    }
}

// Issue 13 (reliability): the record of simulated clock moves.
diesel::table! {
    clock_advances (id) {
        id -> Text,
        user_id -> Text,
        organ_id -> Text,
        seconds -> BigInt,
        simulated_to -> Timestamp,
        at -> Timestamp,
    }
}

// Issue 12: webhook endpoints, the outbox, and the deliveries of each entry to each endpoint.
diesel::table! {
    webhooks (id) {
        id -> Text,
        organ_id -> Text,
        url -> Text,
        secret -> Text,
        kinds -> Text,
        created_by -> Text,
        created_at -> Timestamp,
        deleted_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    outbox (id) {
        id -> Text,
        event_key -> Text,
        organ_id -> Text,
        kind -> Text,
        decision_id -> Nullable<Text>,
        payload -> Text,
        created_at -> Timestamp,
    }
}

diesel::table! {
    webhook_deliveries (id) {
        id -> Text,
        outbox_id -> Text,
        webhook_id -> Text,
        status -> Text,
        attempts -> Integer,
        next_attempt_at -> Timestamp,
        leased_until -> Nullable<Timestamp>,
        leased_by -> Nullable<Text>,
        last_error -> Nullable<Text>,
        last_status -> Nullable<Integer>,
        delivered_at -> Nullable<Timestamp>,
        created_at -> Timestamp,
    }
}

diesel::joinable!(webhook_deliveries -> outbox (outbox_id));
diesel::joinable!(webhook_deliveries -> webhooks (webhook_id));
diesel::allow_tables_to_appear_in_same_query!(webhooks, outbox, webhook_deliveries);

// Issue 14: what ends or changes a session, for every process's cache of signed-in users.
diesel::table! {
    revocations (id) {
        id -> BigInt,
        token_hash -> Nullable<Text>,
        user_id -> Nullable<Text>,
        at -> Timestamp,
    }
}

// Issue 14: the major adjustments' links (第三十七条), original → new decision.
diesel::table! {
    decision_links (original_id, new_id) {
        original_id -> Text,
        new_id -> Text,
    }
}
